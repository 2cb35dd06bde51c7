// The Python side of the bench: the venv shared with the ElastAlert2 oracle tests (test/support/pythonVenv.ts).
export { ensureVenv, VENV, VENV_PYTHON, type PythonSide } from '../support/pythonVenv.js';

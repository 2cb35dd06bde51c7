import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { emptyState, type AlertState, type KeyState, type StateData } from '../model/state.js';
import { ExitCode, UserError } from '../util/errors.js';
import { writeFileDurably } from '../util/durableFile.js';
import { acquireLock } from './fileLock.js';
import { DeliveryJournal } from './journal.js';
import { auditRecovered } from './recoveredAudit.js';
import { FenceFile } from './fence.js';
import { migrateState } from './migrate.js';
import { stateShapeProblem } from './checkShape.js';
import { keepSetAside, lateSetAside, setAsideFile, setAsideWarning, type SetAside } from './setAside.js';
import { settleState } from './settle.js';
import { KeyStore, type NamedText } from './keyHistory.js';
import { attachReceiptLog, latestReceipt, writeReceipts } from './receipts.js';
import { ReceiptLog, receiptFolder } from './receiptLog.js';
import { movedToClusterMarker, StateMovedError, type StateStore, type StateTransaction } from './store.js';

/** The fields of state.json naming the key file that holds the alerts' keys (beside it) and the files of changes since. */
const KEY_FILE_FIELD = 'keyFile';
const KEY_DELTAS_FIELD = 'keyDeltas';
/** The field of state.json saying when the latest receipt in the receipt log was accepted (a run need not read the log to know). */
const RECEIPTS_FIELD = 'receiptsLatest';

/**
 * The state as files under a cross-process lock: `state.json` (windows, pending deliveries, silences ... but not
 * the alerts' keys), a key file beside it holding the alerts' keys (one line per key, see keyFile.ts) and files of
 * the keys changed since, all named by state.json. Each is written durably (util/durableFile: temporary file, sync,
 * rename, folder sync) under a new name before state.json names it, so that state.json always names complete files.
 * A run parses only the keys it reads, and a commit writes only the keys that changed (see KeyStore).
 */
export class FileStateStore implements StateStore {
  constructor(
    private readonly file: string,
    private readonly lockWaitMs: number,
    /** The audit log, where deliveries recovered from the journal get their `delivered` lines. */
    private readonly auditLog?: string,
    /** For `state migrate --to file`: the marker of an earlier move to the cluster is no reason to stop. */
    private readonly ignoreMoved = false,
  ) {}

  /** Takes the lock, then reads the state (moving an unreadable one aside); the fencing token is persisted beside it, within one boot (a power loss may set it back). */
  async begin(): Promise<StateTransaction> {
    mkdirSync(dirname(this.file), { recursive: true });
    let compromised: Error | undefined;
    const release = await acquireLock(this.file, this.lockWaitMs, (error) => {
      compromised = error;
    });
    try {
      if (!this.ignoreMoved) stopIfMoved(this.file);
      // Counted before the read: keys parsed while reading (summaries made again from the keys) may set some aside.
      let lateKept = lateSetAside().length;
      const read = readState(this.file, true);
      const data = read.data;
      // Parts of the wrong shape are kept beside the state file, then left out of the state the run writes.
      if (read.setAside.length) keepSetAside(this.file, read.setAside);
      const fence = new FenceFile(`${this.file}.fence`);
      const fencingToken = fence.next();
      const file = this.file;
      let head = read.headText;
      const keys = read.keys;
      let commits = 0;
      let writes = 0;
      removeStaleKeyFiles(file, Object.values(keys.names()).flat());
      const writeKeyFile = (text: string) => {
        // A lost fence file restarts the tokens: never write over a file that is there (state.json may name it).
        let name: string;
        do name = `${basename(file)}.keys-${fencingToken}.${++commits}`;
        while (existsSync(join(dirname(file), name)) || Object.values(keys.names()).flat().includes(name));
        writeFileDurably(join(dirname(file), name), text);
        writes++;
        return name;
      };
      const write = () => {
        // Receipts go to their log first: state.json never drops pending items whose receipts are not on disk.
        writeReceipts(data);
        const unnamed = keys.commit(data, writeKeyFile);
        // What was set aside, including lines the commit found unreadable as it rewrote or dropped them, is kept before
        // state.json names the new key files and the old ones are removed.
        const late = lateSetAside(lateKept);
        lateKept += late.length;
        if (late.length) keepSetAside(file, late);
        const text = stateText(data, { ...keys.names(), [RECEIPTS_FIELD]: latestReceipt(data) });
        if (text !== head) {
          writeFileDurably(file, text);
          writes++;
        }
        head = text;
        for (const name of unnamed) rmSync(join(dirname(file), name), { force: true });
      };
      const journal = new DeliveryJournal(`${this.file}.journal`);
      // Deliveries a killed run had journalled are applied first, and written, before anything else happens.
      const recovered = journal.replay(data);
      if (recovered.length) {
        if (this.auditLog) auditRecovered(this.auditLog, recovered);
        write();
      }
      journal.clear();
      return {
        data,
        warning: joinWarnings(read.warning, setAsideWarning(read.setAside, `state file ${this.file}`, setAsideFile(this.file))),
        fencingToken,
        async commit() {
          if (compromised) throw new Error(`the lock on ${file} was lost (${compromised.message}); state not written`);
          fence.check(fencingToken);
          await journal.settled();
          write();
          journal.clear();
        },
        journal: (entry) => journal.append(entry),
        stats: () => ({ requests: 0, writes: writes + journal.syncs }),
        async release() {
          if (!compromised) await release().catch(() => undefined);
        },
      };
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
  }

  /** Reads the state without the lock; a corrupt file is reported, not moved. */
  async peek(): Promise<{ data: StateData; warning?: string }> {
    stopIfMoved(this.file);
    // A run may replace the key file between reading state.json and reading the key file it names: read again.
    let read = readState(this.file, false);
    if (read.keyFileMissing) read = readState(this.file, false);
    new DeliveryJournal(`${this.file}.journal`).replay(read.data);
    return { data: read.data, warning: joinWarnings(read.warning, setAsideWarning(read.setAside, `state file ${this.file}`, undefined)) };
  }
}

/**
 * state.json's text: the state without its alerts' keys (they live in the key files), then `fields`. Each alert's
 * keys are unset while the state is serialised (JSON leaves an undefined field out) and put back after, rather than
 * each alert copied without them: a run writes every alert's state, and a copy of 10,000 of them is 10 ms of CPU and
 * as much garbage, twice in a run that notifies. The keys are put back onto the objects they were taken from, in
 * reverse order, whatever throws (an alert that is not an object, a value JSON cannot write, one object under two names).
 */
export function stateText(data: StateData, fields: Record<string, unknown>): string {
  const alerts = data.alerts;
  const held: [AlertState, Record<string, KeyState>][] = [];
  try {
    for (const name in alerts) {
      if (!Object.hasOwn(alerts, name)) continue;
      const state = alerts[name]!;
      const keys = state.keys;
      // Held only once unset: an alert that is not an object throws here, and has nothing to put back.
      state.keys = undefined as unknown as Record<string, KeyState>;
      held.push([state, keys]);
    }
    return JSON.stringify({ ...data, ...fields });
  } finally {
    for (let i = held.length - 1; i >= 0; i--) held[i]![0].keys = held[i]![1];
  }
}

/** Two warnings as one line (either may be absent). */
function joinWarnings(first: string | undefined, second: string | undefined): string | undefined {
  return first && second ? `${first}; ${second}` : (first ?? second);
}

/** What reading the state gave: the data (keys attached unparsed), the texts as read, and what was wrong. */
interface ReadState {
  data: StateData;
  warning?: string;
  /** state.json as read: nothing to write while the state serialises to the same text. */
  headText?: string;
  /** The alerts' keys, attached to `data`. */
  keys: KeyStore;
  keyFileMissing?: boolean;
  /** Parts of the state of the wrong shape, taken out of `data`. */
  setAside: SetAside[];
}

/** Reads state.json and the key file it names; an unreadable state.json gives a fresh state (moved aside if asked). */
function readState(file: string, moveCorruptAside: boolean): ReadState {
  let text: string | undefined;
  let unusable: { what: string; why: string } | undefined;
  let raw: unknown;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot read the state file ${file}: ${(error as Error).message}`, ExitCode.internal);
  }
  if (text === undefined) return withReceiptLog(file, { data: emptyState(), keys: new KeyStore(), setAside: [] });
  try {
    raw = JSON.parse(text);
    // Valid JSON of the wrong shape (an array, `alerts` that is a list ...) is as unusable as broken JSON.
    const wrong = stateShapeProblem(raw);
    if (wrong) unusable = { what: "is not alertcron's state", why: wrong };
  } catch (error) {
    unusable = { what: 'is not valid JSON', why: (error as Error).message };
  }
  if (unusable !== undefined) {
    if (!moveCorruptAside) return withReceiptLog(file, { data: emptyState(), keys: new KeyStore(), setAside: [], warning: `state file ${file} ${unusable.what} (${unusable.why}); a run will move it aside` });
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    return withReceiptLog(file, { data: emptyState(), keys: new KeyStore(), setAside: [], warning: `state file ${file} was unreadable (${unusable.what}: ${unusable.why}); moved it to ${aside} and started afresh` });
  }
  const { [KEY_FILE_FIELD]: keyFile, [KEY_DELTAS_FIELD]: keyDeltas, [RECEIPTS_FIELD]: latest, ...rest } = raw as Record<string, unknown>;
  const data = migrateState(rest as Partial<StateData>);
  const setAside = settleState(data);
  // The receipts live in their log beside state.json; an older state.json holds them itself: moved there by the next write.
  attachReceiptLog(data, new ReceiptLog(receiptFolder(file)), Array.isArray(rest.sent) ? data.sent : [], typeof latest === 'number' ? latest : undefined);
  // An older state.json holds the keys itself: they are plain data, moved to a key file by the next commit.
  if (typeof keyFile !== 'string') {
    const keys = new KeyStore();
    keys.attach(data);
    return { data, headText: undefined, keys, setAside };
  }
  const names = [keyFile, ...(Array.isArray(keyDeltas) ? keyDeltas.filter((d): d is string => typeof d === 'string') : [])];
  const texts: NamedText[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const keyPath = join(dirname(file), basename(name));
    try {
      texts.push({ name: basename(name), text: readFileSync(keyPath, 'utf8') });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot read the key file ${keyPath}: ${(error as Error).message}`, ExitCode.internal);
      if (name === keyFile) {
        const keys = new KeyStore();
        keys.attach(data);
        return { data, keys, keyFileMissing: true, setAside, warning: `the key file ${keyPath} named by ${file} is missing: the alerts' key history starts afresh` };
      }
      // A file of changes lost: the key file and the other files of changes still hold the rest of the history.
      missing.push(keyPath);
    }
  }
  const keys = new KeyStore(texts[0], texts.slice(1), missing.length > 0);
  keys.attach(data);
  const keyPath = join(dirname(file), basename(keyFile));
  const lost = missing.length ? `the file(s) of key changes ${missing.join(', ')} named by ${file} are missing: the keys changed in them are as before them` : undefined;
  const problems = keys.problems.length ? `the key file ${keyPath} has lines that cannot be read (${keys.problems.slice(0, 3).join('; ')}): those alerts' key history starts afresh` : undefined;
  return { data, warning: joinWarnings(lost, problems), headText: missing.length ? undefined : text, keys, keyFileMissing: missing.length > 0 || undefined, setAside };
}

/** The state read, its receipts read from the log beside `file` when asked for. */
function withReceiptLog(file: string, read: ReadState): ReadState {
  attachReceiptLog(read.data, new ReceiptLog(receiptFolder(file)));
  return read;
}

/**
 * Throws StateMovedError when state.json is gone because `state migrate --to cluster` moved it (its marker is
 * there): an empty state is for a first run only, never for a run that waited while the state moved.
 */
function stopIfMoved(file: string): void {
  if (existsSync(file) || !existsSync(movedToClusterMarker(file))) return;
  throw new StateMovedError(`the state was moved to the cluster (${movedToClusterMarker(file)}) while this command waited for it, and alertcron.yaml does not say state.backend: cluster: run it again (if a migration back to the file is under way, after it)`);
}

/** Removes key files a killed run left behind (written, but never named by state.json). */
function removeStaleKeyFiles(file: string, current: readonly string[]): void {
  const prefix = `${basename(file)}.keys-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix) && !current.includes(name)) rmSync(join(dirname(file), name), { force: true });
}

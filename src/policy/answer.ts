/** What a person's reply means: yes, no, or neither (they are asked again). */
export type AnswerVerdict = 'yes' | 'no' | undefined;

const YES = new Set(['yes', 'y', 'yep', 'yeah', 'yup', 'ya', 'yea', 'sure', 'ok', 'okay', 'confirm', 'confirmed', 'correct', 'affirmative', 'да', 'ага', '✅', '👍', '✔️', '✔']);
const NO = new Set(['no', 'n', 'nope', 'nah', 'not', 'never', 'deny', 'negative', 'нет', '❌', '👎', '🚫', '✖️']);

/**
 * Reads yes or no from a reply the way Securitybot did: the first word, lower-cased, stripped of punctuation;
 * "it was me" and "not me" count too. Anything else is neither.
 */
export function parseAnswer(text: string): AnswerVerdict {
  const words = text.trim().toLowerCase().split(/\s+/).map((w) => w.replace(/^[.,!?'"`*_~()[\]:;-]+|[.,!?'"`*_~()[\]:;-]+$/g, '')).filter(Boolean);
  const first = words[0];
  if (!first) return undefined;
  if (first === 'it' && words[1] === 'was' && words[2] === 'me') return 'yes';
  if (first === 'not' && words[1] !== 'me') return undefined;
  if (YES.has(first)) return 'yes';
  if (NO.has(first)) return 'no';
  return undefined;
}

/**
 * English articles for words that reach a message as parameters. A locale string cannot choose "a" or "an" for a
 * word it does not know ("it is a __type__" read "it is a object"), so a parameter that needs an article carries
 * it, chosen here by how the word is spoken. Browser-safe: no Node import.
 */

/** Letters whose spoken name starts with a vowel sound: "an F", "an HTTP", "an S3". */
const VOWEL_SOUND_LETTERS = 'aefhilmnorsx';

/** Words spelled with a vowel but spoken with a consonant first: "a user", "a one-line", "a European". */
const CONSONANT_SOUND = /^(uni|use|usa|usu|uti|ura|ure|uro|ubi|eu|ewe|one\b|once)/;

/** Words spelled with an h that is not spoken: "an hour". */
const SILENT_H = /^(hour|honest|honou?r|heir)/;

/** Whether the word is read letter by letter: all capitals (URL, SDK) or no vowel at all (http, s3, tls). */
function isInitialism(word: string): boolean {
  const letters = word.replace(/[^A-Za-z0-9]/g, '');
  if (letters.length < 2) return letters.length === 1;
  return (letters === letters.toUpperCase() && /[A-Z]/.test(letters)) || !/[aeiouy]/i.test(letters);
}

/** "a" or "an" for the word that follows it. */
export function articleFor(phrase: string): 'a' | 'an' {
  const word = phrase.trim().split(/[\s-]/)[0] ?? '';
  if (word === '') return 'a';
  if (isInitialism(word)) return VOWEL_SOUND_LETTERS.includes(word[0].toLowerCase()) ? 'an' : 'a';
  const lower = word.toLowerCase();
  if (SILENT_H.test(lower)) return 'an';
  if (CONSONANT_SOUND.test(lower)) return 'a';
  return /^[aeiou]/.test(lower) ? 'an' : 'a';
}

/** The phrase with its article: "an object", "a number", "an HTTP proxy". */
export function withArticle(phrase: string): string {
  return `${articleFor(phrase)} ${phrase}`;
}

/** What a JavaScript value is, in words for a message: "a number", "an array", "null", "undefined". */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return withArticle(Array.isArray(value) ? 'array' : typeof value);
}

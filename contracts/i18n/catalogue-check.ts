import { placeholdersOf } from './language';

/**
 * What is wrong with a translation against its reference catalogue: keys missing or extra, empty texts,
 * and texts whose `{placeholders}` differ from the reference's. Empty when complete.
 */
export function catalogueProblems(
  reference: Readonly<Record<string, string>>,
  translation: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(reference)) {
    if (!Object.prototype.hasOwnProperty.call(translation, key)) {
      problems.push(`missing ${key}`);
      continue;
    }
    const text = translation[key] ?? '';
    if (text.trim() === '') problems.push(`empty ${key}`);
    const want = placeholdersOf(reference[key] ?? '').join(',');
    const got = placeholdersOf(text).join(',');
    if (want !== got) problems.push(`${key}: placeholders {${got}} instead of {${want}}`);
  }
  for (const key of Object.keys(translation)) {
    if (!Object.prototype.hasOwnProperty.call(reference, key)) problems.push(`extra ${key}`);
  }
  return problems;
}

/** `%`, `_` and `\` in a search term match themselves in a LIKE pattern, not any text. */
export const escapeLike = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A LIKE pattern matching values that contain `term`. */
export const containing = (term: string) => `%${escapeLike(term)}%`;

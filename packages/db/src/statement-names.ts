// One name per statement text, so each connection parses and plans a statement once and
// afterwards only binds and executes it. Meant for a fixed set of texts (hot paths' SQL), shared
// by every way this package runs prepared statements so that one name never means two texts.
const statementNames = new Map<string, string>();

export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `pb_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * `shopbot eval <what>`, `shopbot train <what>` and `shopbot bench <what>` dispatch to modules
 * that each export `run(argv): Promise<number>`.
 */
export type SubcommandTable = Readonly<Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>>>;

export async function dispatch(group: string, table: SubcommandTable, argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const load = what ? table[what] : undefined;
  if (!load) {
    console.error(`usage: shopbot ${group} <${Object.keys(table).join('|')}> ...`);
    return 2;
  }
  return (await load()).run(rest);
}

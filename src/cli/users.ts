import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { addAccount, listAccounts, revokeAccount } from "../db/accounts.ts";
import { openDatabase } from "../db/client.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../domain/errors.ts";
import { builtInWriters, ROLES } from "../domain/roles.ts";

export const USERS_HELP = `  tradewatch users add --name "NAME" --role ${ROLES.join("|")}
      Add an account and print its token, once (only a salted hash is kept).
  tradewatch users list
      Accounts with their role, and when they were added or revoked (never tokens).
  tradewatch users revoke --name "NAME"
      Revoke an account: its token stops working at once; its name stays in the history.
  (users commands work directly on the database of DATABASE_URL)`;

/** Prints a message for a refusal the user can act on and exits 2; anything else is a bug and propagates. */
function refuse(e: unknown): never {
  if (e instanceof InvalidInputError || e instanceof ConflictError || e instanceof NotFoundError) {
    if (e instanceof InvalidInputError) console.error(e.errors.map((p) => `--${p.field}: ${p.problem}`).join("\n"));
    else console.error(e instanceof ConflictError && e.field ? `--${e.field}: ${e.message}` : e.message);
    process.exit(2);
  }
  throw e;
}

/** `tradewatch users add|list|revoke`, on the local database (the server need not run). */
export async function usersCommand(argv: string[]): Promise<void> {
  let parsed: { values: { name?: string; role?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: "string" }, role: { type: "string" } } });
  } catch (e) {
    console.error(`${(e as Error).message}\nUsage:\n${USERS_HELP}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  const [action] = positionals;
  if (action !== "add" && action !== "list" && action !== "revoke") {
    console.error(`Usage:\n${USERS_HELP}`);
    process.exit(2);
  }
  if (action !== "list" && values.name === undefined) refuse(new InvalidInputError([{ field: "name", problem: "required" }]));
  if (action === "add" && values.role === undefined) refuse(new InvalidInputError([{ field: "role", problem: `required (${ROLES.join(", ")})` }]));
  const path = loadConfig().databasePath;
  if (!existsSync(path)) {
    console.error(`No database at ${path}: run \`npm start\` or \`npm run db:migrate\` first, or set DATABASE_URL.`);
    process.exit(2);
  }
  const db = await openDatabase(path);
  try {
    if (!db.reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Account'").get()) {
      console.error(`The database at ${path} has no accounts yet: run \`npm run db:migrate\` first.`);
      process.exitCode = 2;
      return;
    }
    if (action === "add") {
      const { account, token } = await addAccount(db, values.name!, values.role!, builtInWriters(loadConfig().TRADEWATCH_TOKEN_NAME)).catch(refuse);
      console.log(`Added ${account.name} (${account.role}). Their token, shown this once:\n${token}`);
    } else if (action === "list") {
      const accounts = listAccounts(db);
      if (accounts.length === 0) console.log("No accounts yet.");
      for (const a of accounts) {
        const state = a.revokedAt ? `revoked ${a.revokedAt.toISOString().slice(0, 10)}` : "active";
        console.log(`${a.name}\t${a.role}\tadded ${a.createdAt.toISOString().slice(0, 10)}\t${state}`);
      }
    } else {
      const account = await revokeAccount(db, values.name!).catch(refuse);
      console.log(`Revoked ${account.name} (${account.role}): their token no longer works.`);
    }
  } finally {
    await db.close();
  }
}

import { createRoute, z } from "@hono/zod-openapi";
import { type AccountSummary, addAccount, listAccounts, revokeAccount } from "../../db/accounts.ts";
import { ROLES } from "../../domain/roles.ts";
import { type AppDeps, newRouter } from "../app-env.ts";
import { ProblemSchema, writeProblemResponses } from "../schemas/common.ts";

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } } });
const problemContent = { "application/problem+json": { schema: ProblemSchema } };
const authProblems = {
  401: { description: "Missing, unknown or revoked bearer token", content: problemContent },
  403: { description: "The token's role may not do this", content: problemContent },
  429: { description: "Too many failed authentications", content: problemContent },
} as const;

const Role = z.enum(ROLES);
const SignedInSchema = z.object({ name: z.string(), role: Role }).openapi("SignedIn");
const AccountSchema = z
  .object({ name: z.string(), role: Role, createdAt: z.string(), revokedAt: z.string().nullable() })
  .openapi("Account", { description: "An account; its token is never shown again after it is made" });
const NameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(80)
    .openapi({ param: { name: "name", in: "path" } }),
});

const toWire = (a: AccountSummary) => ({ name: a.name, role: a.role, createdAt: a.createdAt.toISOString(), revokedAt: a.revokedAt?.toISOString() ?? null });

/** `/api/me` for any account; listing, adding and revoking accounts for admins (the CLI does the same on the database). */
export function accountRoutes({ db, builtInWriters }: AppDeps) {
  return newRouter()
    .openapi(
      createRoute({
        method: "get",
        path: "/me",
        tags: ["accounts"],
        summary: "Who the token belongs to",
        security: bearer,
        responses: { 200: { description: "The signed-in account", ...json(SignedInSchema) }, ...authProblems },
      }),
      (c) => {
        const { name, role } = c.get("account")!;
        return c.json({ name, role }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/accounts",
        tags: ["accounts"],
        summary: "Every account, revoked ones included (admins only; never tokens)",
        security: bearer,
        responses: { 200: { description: "Accounts by name", ...json(z.object({ items: z.array(AccountSchema) })) }, ...authProblems },
      }),
      async (c) => c.json({ items: listAccounts(db).map(toWire) }, 200),
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/accounts",
        tags: ["accounts"],
        summary: "Add an account (admins only); the answer carries its token, shown this once",
        security: bearer,
        request: { body: { required: true, ...json(z.strictObject({ name: z.string().max(200), role: z.string().max(20) })) } },
        responses: {
          201: { description: "Created", ...json(AccountSchema.extend({ token: z.string() })) },
          ...writeProblemResponses,
          409: {
            description: "The name is another account's or a built-in writer's (seed, cli, the shared token's), compared after NFKC and case folding",
            content: problemContent,
          },
        },
      }),
      async (c) => {
        const { name, role } = c.req.valid("json");
        const { account, token } = await addAccount(db, name, role, builtInWriters);
        return c.json({ ...toWire(account), token }, 201);
      },
    )
    .openapi(
      createRoute({
        method: "delete",
        path: "/accounts/{name}",
        tags: ["accounts"],
        summary: "Revoke an account (admins only): its token stops working at once; its name stays in the history",
        security: bearer,
        request: { params: NameParam },
        responses: {
          200: { description: "Revoked", ...json(AccountSchema) },
          404: { description: "No such account", content: problemContent },
          ...authProblems,
        },
      }),
      async (c) => c.json(toWire(await revokeAccount(db, c.req.valid("param").name)), 200),
    );
}

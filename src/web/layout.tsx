import type { Child } from "hono/jsx";

/** The page shell: skip link, site header with the token box and who is signed in, one main landmark. */
export function Layout({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Tradewatch`}</title>
        <link rel="stylesheet" href="/assets/desk.css" />
      </head>
      <body>
        <a href="#main" class="skip">
          Skip to content
        </a>
        <header class="site">
          <a class="brand" href="/">
            Tradewatch
          </a>
          <nav aria-label="Site">
            <a href="/">Desk</a> · <a href="/in-force">In force</a> · <a href="/agreements">Agreements</a> · <a href="/intake">Add an article</a> ·{" "}
            <a href="/calendar.ics">Calendar feed</a> · <a href="/docs">API</a>
          </nav>
          <form id="token-form" class="token">
            <label for="token">API token</label>
            <input id="token" name="token" type="password" autocomplete="off" />
            <button type="submit">Sign in for this session</button>
            <span id="token-state" class="muted" aria-live="polite" />
            <button id="sign-out" type="button" hidden>
              Sign out
            </button>
          </form>
        </header>
        <main id="main">{children}</main>
        <script src="/assets/desk.js" defer />
      </body>
    </html>
  );
}

/** A paged list's links: back to its first page, on to the next ("More quotes →"). */
export function PageLinks({ first, more, what }: { first: string | null; more: string | null; what: string }) {
  return (
    <p class="more">
      {first ? <a href={first}>From the start</a> : null}
      {first && more ? " · " : null}
      {more ? (
        <a href={more} rel="next">
          More {what} →
        </a>
      ) : null}
    </p>
  );
}

/** What the desk answers when it cannot show a page (a bad date or link, an unknown record): the message in the desk's frame, with a way back. */
export function DeskProblem({ children }: { children: Child }) {
  return (
    <Layout title="Cannot show this page">
      <h1>Cannot show this page</h1>
      <p role="alert">{children}</p>
      <p>
        <a href="/">Back to the pending deadlines</a>
      </p>
    </Layout>
  );
}

import autocannon from "autocannon";

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface LoadSpec {
  url: string;
  durationS: number;
  connections?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Paths taken in turn, one per request. */
  paths: string[];
  body?: string;
}

/** Runs autocannon against one URL pattern and keeps the figures the report needs. */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections ?? 10,
    duration: spec.durationS,
    requests: [
      {
        method: spec.method ?? "GET",
        headers: spec.headers,
        body: spec.body,
        setupRequest: (req: any) => {
          req.path = spec.paths[i++ % spec.paths.length];
          return req;
        },
      },
    ],
  });
  return {
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

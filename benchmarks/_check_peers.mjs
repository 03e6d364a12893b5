#!/usr/bin/env node
// Runs one of PactFlow's open pact <-> OpenAPI checkers on a spec and pact files and
// prints what it found, as JSON, for bench_check_peers.py and parity_verdicts.py:
//
//   node benchmarks/_check_peers.mjs comparator|smv SPEC PACT [PACT...]
//
// Output: {"tool", "version", "load_ms", "pacts": [{"pact", "ms", "results": [...]}]}
// where each result is {code, type, location, message} as the tool reports it
// (`location` is "[root].interactions[N]..."); a pact the tool throws on has
// "error" (its message) instead of "results". `load_ms` is reading and parsing the
// spec (and, for the comparator, constructing it); each pact's `ms` is reading,
// parsing and comparing that pact. Node's own start-up is not in these figures.
//
// comparator: @pactflow/openapi-pact-comparator, one Comparator for every pact (its
// documented use: compiled schemas are shared). smv: @pactflow/swagger-mock-validator's
// API, one validation per pact (it has no other mode).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, "node_modules", "@pactflow");
const require = createRequire(import.meta.url);

function version(name) {
  return JSON.parse(readFileSync(join(peers, name, "package.json"), "utf-8")).version;
}

function parse(text, path) {
  try {
    return JSON.parse(text);
  } catch (error) {
    const yaml = require(join(here, "node_modules", "js-yaml"));
    try {
      return yaml.load(text);
    } catch {
      throw new Error(`${path}: neither JSON nor YAML: ${error.message}`);
    }
  }
}

function brief(result) {
  return {
    code: result.code,
    type: result.type,
    location: result.mockDetails?.location ?? null,
    message: result.message,
  };
}

async function comparator(specPath, pactPaths) {
  const { Comparator } = require(join(peers, "openapi-pact-comparator", "dist", "index.cjs"));
  let start = performance.now();
  const oas = parse(readFileSync(specPath, "utf-8"), specPath);
  const engine = new Comparator({ oas });
  const loadMs = performance.now() - start;
  const pacts = [];
  for (const pactPath of pactPaths) {
    start = performance.now();
    const results = [];
    try {
      const pact = JSON.parse(readFileSync(pactPath, "utf-8"));
      for await (const result of engine.compare(pact)) {
        results.push(brief(result));
      }
    } catch (error) {
      pacts.push({ pact: pactPath, ms: performance.now() - start, error: error.message });
      continue;
    }
    pacts.push({ pact: pactPath, ms: performance.now() - start, results });
  }
  return { tool: "comparator", version: version("openapi-pact-comparator"), load_ms: loadMs, pacts };
}

async function smv(specPath, pactPaths) {
  const api = (await import(join(peers, "swagger-mock-validator", "dist", "api.js"))).default;
  const start = performance.now();
  const specText = readFileSync(specPath, "utf-8");
  const loadMs = performance.now() - start;
  const pacts = [];
  for (const pactPath of pactPaths) {
    const begin = performance.now();
    let outcome;
    try {
      outcome = await api.validate({
        spec: { content: specText, pathOrUrl: specPath, format: "auto-detect" },
        mock: { content: readFileSync(pactPath, "utf-8"), pathOrUrl: pactPath, format: "auto-detect" },
      });
    } catch (error) {
      pacts.push({ pact: pactPath, ms: performance.now() - begin, error: error.message });
      continue;
    }
    const results = [...outcome.errors, ...outcome.warnings].map(brief);
    pacts.push({ pact: pactPath, ms: performance.now() - begin, results });
  }
  return { tool: "smv", version: version("swagger-mock-validator"), load_ms: loadMs, pacts };
}

const [tool, specPath, ...pactPaths] = process.argv.slice(2);
const run = { comparator, smv }[tool];
if (!run || !specPath || pactPaths.length === 0) {
  process.stderr.write("usage: node _check_peers.mjs comparator|smv SPEC PACT [PACT...]\n");
  process.exit(2);
}
try {
  process.stdout.write(JSON.stringify(await run(specPath, pactPaths)) + "\n");
} catch (error) {
  process.stderr.write(`${tool}: ${error.message}\n`);
  process.exit(3);
}

// bench_baseline.mjs - the baselines of tests/bench/bench_tokenizer.c: tokenizes one text file with
// transformers.js (AutoTokenizer from a local folder, no network) and with the Hugging Face
// tokenizers Rust library (Node binding), single-threaded, and prints one JSON line each:
// {"name","seconds","cpu","bytes","tokens","fnv"} (fnv: FNV-1a over the ids, to compare with
// dossier's).
// Usage: node bench_baseline.mjs TEXT_FILE TOKENIZER_DIR [CHUNK_BYTES]
import fs from 'fs';
import path from 'path';

const [file, dir, chunkArg] = process.argv.slice(2);
const buf = fs.readFileSync(file);
const text = buf.toString('utf8');
const chunkBytes = Number(chunkArg || 0);

function fnv(ids) {
  let h = 0x811c9dc5;
  for (const id of ids) {
    for (let k = 0; k < 4; k++) { h ^= (id >>> (8 * k)) & 255; h = Math.imul(h, 0x01000193) >>> 0; }
  }
  return h >>> 0;
}

// Pieces the way the C benchmark cuts them (at byte offsets, backed off to a character start).
function pieces() {
  if (!chunkBytes) return [text];
  const out = [];
  let s = 0;
  while (s < buf.length) {
    let e = Math.min(buf.length, s + chunkBytes);
    while (e < buf.length && (buf[e] & 0xc0) === 0x80) e--;
    out.push(buf.subarray(s, e).toString('utf8'));
    s = e;
  }
  return out;
}

// Best of three runs, by wall clock and by CPU time (all of node's threads: the Rust binding
// encodes on a worker thread).
async function timeit(name, encodeAll) {
  let best = null;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    const ids = await encodeAll();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    if (!best || cpu < best.cpu) best = { name, seconds, cpu, bytes: buf.length, tokens: ids.length, fnv: fnv(ids) };
  }
  console.log(JSON.stringify(best));
}

const parts = pieces();
try {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(path.resolve(dir)) + '/';
  const tok = await AutoTokenizer.from_pretrained(path.basename(path.resolve(dir)));
  await timeit('transformers.js 4.3.1', async () => parts.flatMap((p) => tok.encode(p, { add_special_tokens: false })));
} catch (e) {
  console.error(`transformers.js: ${e.message}`);
}
try {
  const { Tokenizer } = await import('@anush008/tokenizers');
  const tok = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  await timeit('HF tokenizers 0.22 (Rust, Node binding)', async () => {
    const all = [];
    for (const p of parts) {
      const e = await tok.encode(p, null, { addSpecialTokens: false });
      for (const id of e.getIds()) all.push(id);
    }
    return all;
  });
} catch (e) {
  console.error(`tokenizers: ${e.message}`);
}

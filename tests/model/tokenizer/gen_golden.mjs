// gen_golden.mjs - writes golden.jsonl, the reference token ids dossier's tokenizer test compares
// against, computed by the Hugging Face tokenizers Rust library (0.22, through its Node binding)
// on the Qwen3 tokenizer.json and on variants of it (other pre-tokenizers, legacy merges, added
// tokens with every flag). transformers.js is run on the base cases too, and its disagreements
// with the Rust library are printed (for information: the Rust library is the reference).
//
// Usage: npm install   (once, in this folder)
//        node gen_golden.mjs [SHARED_DIR]   (default ../../../../shared; writes golden.jsonl here)
//
// Line 1 of golden.jsonl describes the variants (patches to apply to the base tokenizer.json);
// every other line is one case: {"variant","name","special","text" | "hex","ids"}. "special"
// is parse_special: 0 means special tokens are tokenized as text (encode_special_tokens).
import { Tokenizer } from '@anush008/tokenizers';
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(process.argv[2] || path.join(here, '../../../../shared'));
const baseJsonPath = path.join(shared, 'models/qwen3-tokenizer/tokenizer.json');
const base = JSON.parse(fs.readFileSync(baseJsonPath, 'utf8'));

// ---- variants: the same patches tests/model/tokenizer_test.c applies --------------------------
const BL = (aps, re) => ({ type: 'ByteLevel', add_prefix_space: aps, trim_offsets: false, use_regex: re });
const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const variants = {
  base: {},
  gpt2: { set: { pre_tokenizer: BL(false, true), normalizer: null } },
  gpt2_prefix: { set: { pre_tokenizer: BL(true, true) } },
  llama3: {
    set: { pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3 }, behavior: 'Isolated', invert: false }, BL(false, false)] } },
    model_set: { ignore_merges: true },
  },
  split_gpt2_prefix: {
    set: { pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: GPT2 }, behavior: 'Isolated', invert: false }, BL(true, false)] } },
  },
  legacy: { merges_legacy: true, set: { normalizer: null } },
  added: {
    added_tokens_append: [
      { id: 151669, content: '<mask>', single_word: true, lstrip: true, rstrip: true, normalized: false, special: false },
      { id: 151670, content: '[L]', single_word: false, lstrip: true, rstrip: false, normalized: false, special: false },
      { id: 151671, content: '[R]', single_word: false, lstrip: false, rstrip: true, normalized: false, special: true },
      { id: 151672, content: 'cafe\u0301', single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
      { id: 151673, content: 'ony', single_word: true, lstrip: false, rstrip: false, normalized: true, special: false },
      { id: 151674, content: '\u212Bngstr\u00F6m', single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
      { id: 151675, content: '<|im_start|>user', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false },
      { id: 151676, content: ' dog', single_word: false, lstrip: false, rstrip: true, normalized: false, special: false },
      { id: 151677, content: 'Revenue', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
  },
};

function applyVariant(v) {
  const j = structuredClone(base);
  for (const [k, val] of Object.entries(v.set || {})) j[k] = val;
  for (const [k, val] of Object.entries(v.model_set || {})) j.model[k] = val;
  if (v.merges_legacy) j.model.merges = j.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  if (v.added_tokens_append) j.added_tokens = j.added_tokens.concat(v.added_tokens_append);
  // parse_special = 0 (Hugging Face's encode_special_tokens): the binding has no switch for it, so
  // the special tokens get contents no text has; dropping them would renumber the others.
  if (v.drop_special)
    j.added_tokens = j.added_tokens.map((t) => (t.special ? { ...t, content: `\uFFFF\uFFFE${t.id}` } : t));
  return j;
}

const tokenizers = {};
function tk(variant, special) {
  const key = `${variant}/${special}`;
  if (!tokenizers[key]) {
    const j = applyVariant({ ...variants[variant], drop_special: !special });
    tokenizers[key] = Tokenizer.fromString(JSON.stringify(j));
  }
  return tokenizers[key];
}

// ---- texts -------------------------------------------------------------------------------------
const cases = []; // {name, text?: string, bytes?: Buffer}
const add = (name, text) => cases.push({ name, text });
const addBytes = (name, hex) => cases.push({ name, bytes: Buffer.from(hex.replace(/ /g, ''), 'hex') });

add('prose', 'Net sales increased 8% year over year, driven primarily by higher sales of iPhone and Services. ' +
  'The Company\'s gross margin was 44.3% compared to 43.0% in the prior year period.');
add('prose2', 'Liquidity and Capital Resources\n\nAs of September 30, 2023, we had $162.1 billion in cash, cash equivalents ' +
  'and marketable securities. We believe our balances will be sufficient to satisfy our working capital needs.');
add('numbers', '1,234,567.89 (1,234) 10-K 2023 $4.5 billion 12.5% Q3 FY2024 1/2 0.0001 -42 +7 1e-9 3.14159265358979');
add('numbers_unicode', '½ ² ³ ¼ ٣٤٥ ١٢٣ Ⅻ ⅻ ① ⑳ ０１２ १२३ 〇 𝟙𝟚');
add('chinese', '公司2023年营业收入为1,234亿元，同比增长12.5%。净利润为人民币56.7亿元。');
add('japanese', 'か\u3099き\u3099く\u3099 カタカナ ひらがな 東京証券取引所');
add('korean', '한국어 텍스트 \u1100\u1161\u11A8 \u1100\u1161 가\u11A8 삼성전자');
add('arabic', 'مرحبا بالعالم ١٢٣ مُحَمَّد الشركة المالية');
add('scripts', 'Ελληνικά Русский текст עברית हिन्दी ภาษาไทย ქართული Հայերեն');
add('emoji', '😀 👨‍👩‍👧‍👦 🇺🇸🇨🇳 👍🏽 1️⃣ ❤️ 🏳️‍🌈 🧑🏿‍💻');
add('combining', 'e\u0301 cafe\u0301 A\u030A \u1E9B\u0323 a\u0323\u0301 a\u0301\u0323 \u0344 \u212B \u2000x o\u0308\u0304');
add('combining2', 'Ame\u0301lie re\u0301sume\u0301 nai\u0308ve Z\u030Cu\u030C n\u0303 \u0041\u0300\u0301\u0302');
// Marks newer than Hugging Face's NFC tables (Unicode 9): left alone there, never reordered.
add('nfc_newer', 'a\u0301\u1AC3 N\u{1F6E9}\u0301\u1AC3sT g\u0307 \u{105D2}\u0307 \u{11935}\u{11930} x\u0345\u0897 \u0D3B\u0301');
// For the "added" variant's tokens (single_word, lstrip, rstrip, normalized, special flags).
add('added_flags', 'Hi <mask> there\t<mask>\t<mask>\u2000 x<mask> <mask>y <mask>, <mask>- \u25CC\u0330<mask> \u00E9<mask>');
add('added_flags2', 'My name is Anthony ony Tony ony_ ony1 (ony) [L] x  [L]y \u3000[L] [R]  z[R]\n\n[R]');
add('added_flags3', 'caf\u00E9 cafe\u0301 \u212Bngstr\u00F6m A\u030Angstro\u0308m <|im_start|>user hi <|im_start|>system');
add('added_flags4', 'the dog  dog\tdog\n dog   \u00A0dog Revenue revenue Revenues REVENUE <|endoftext|>Revenue');
add('tabs', 'a\tb\t\tindent\n\t\tcode\tcol1\tcol2\t\tcol3\t');
add('crlf', 'line1\r\nline2\r\n\r\n\r\r\n\na \r\n b\r');
add('spaces', 'a  b   leading    trailing   \n  \n    b  x \u00A0 y \u3000\u3000漢字 \u2003em');
add('spaces_end', 'end with spaces   ');
add('newlines', '\n\n\nfoo\n\n\n\nbar\n \n \n baz \n');
add('contractions', "don't DON'T it's IT'S we'LL they're I've I'm she'd 's' x'\u017Fa O'Neil rock'n'roll ''' ’s y'all 'Re 'vE 'Ll 'D");
add('specials', '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n');
add('specials2', 'text<|endoftext|>more<|im_start|><|im_end|> <|im_start <think>reasoning</think>answer <tool_call>{"a":1}</tool_call>');
add('specials3', '  <|im_end|>  <|endoftext|>\n<|fim_prefix|>x<|fim_suffix|>');
add('mixed', 'Revenue in 中国 grew 12% — 利润 (profit) rose; naïve café résumé; Москва 2023; €1.2bn');
add('long_words', 'supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis');
add('long_a', 'a'.repeat(300));
add('long_ab', 'ab'.repeat(200));
add('long_dash', '—'.repeat(100) + '-'.repeat(120) + '='.repeat(80));
add('long_digits', '0123456789'.repeat(50));
add('url', 'https://www.sec.gov/Archives/edgar/data/320193/000032019323000106/aapl-20230930.htm?x=1&y=%20');
add('blob', Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 7919) & 255)).toString('base64'));
add('empty', '');
add('one_space', ' ');
add('one_newline', '\n');
add('controls', '\u0000a\u0001\u0007\u001b[0m\u007f\u000b\u000c\u001c\u001f');
add('format_chars', '\uFEFFbom \u200Bzw\u200Bsp \u00ADsoft \u2028line\u2029para \u0085nel \u180E');
add('private_unassigned', '\uE000 \u{10FFFD} \u{1E4D0}\u{1E4D1} \u{105C0}\u{105C1} \u{11F04}x \u0378 \u{1FAE9}');
add('apostrophes', "'s 'S 'ſ 'ﬆ 'll 'LL 'lL 're 'RE 've 'VE 'm 'M 'd 'D 't 'T 'x '1 ' ''s");
add('punct_runs', '!!! ??? ... ;;; ... \u2014\u2014 ((( ))) "quoted" [bracket] {brace} @#$%^&*_+=|\\/~`');
add('punct_newline', 'end.\nnext!\r\n?!\n\n...\r\r');
add('table_row', 'Total net sales\t$\t89,498\t$\t90,146\t(1)%\nCost of sales\t\t49,071\t\t52,860\n');

// Deterministic random strings over an alphabet of troublesome pieces.
const ALPHA = ['a', 'Z', 'é', '\u0301', '\u0308', 'ſ', "'", 's', 't', 'l', 'L', 'e', 'r', 'v', 'm', 'd', ' ',
  '  ', '\t', '\n', '\r', '\r\n', '\u00A0', '\u3000', '\u2009', '1', '٣', '½', 'Ⅻ', '.', ',', '-', '—', '(', ')',
  '$', '%', '中', '文', '😀', '\u200D', '👨', '<|im_start|>', '<|endoftext|>', '<think>', '<', '|', '>',
  '\u0000', '\u0085', '\u2028', 'ㄱ', '\u1100', '\u1161', '\u11A8', '가', '\uFEFF', 'Ω', '\u212B', 'ß',
  'İ', 'ı', '\u0345', '\u0323', 'Å', 'x', 'Q', '_', '9', '\u000B'];
let seed = 12345;
const rnd = () => { seed = (seed + 0x6D2B79F5) | 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
for (let i = 0; i < 500; i++) {
  const len = 1 + Math.floor(rnd() * 30);
  let s = '';
  for (let k = 0; k < len; k++) s += ALPHA[Math.floor(rnd() * ALPHA.length)];
  add(`random_${i}`, s);
}

// Invalid UTF-8: HF takes Unicode strings only; the reference is the text decoded with U+FFFD.
addBytes('bad_ff', 'ff');
addBytes('bad_overlong', 'c0af 41 e0808f 42');
addBytes('bad_surrogate', '61 eda080 62 edbfbf');
addBytes('bad_too_big', 'f4908080 f5 f8888080 80');
addBytes('bad_truncated', '41 e282 41 f09f98 20 c3');
addBytes('bad_lone_cont', '80 81 bf 20 48656c6c6f ff 776f726c64');
addBytes('bad_mixed', 'e4b8ad e6 96 87 c3a9 fe 20 3c7c696d5f73746172747c3e ed');

// Real text: financial PDFs through pdftotext, iXBRL filings with tags stripped, EDGAR text.
function stripHtml(html) {
  return html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\/(p|div|tr|br|h\d|li|table)>/gi, '\n').replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;|&#160;|&#xa0;/gi, '\u00A0').replace(/&amp;/g, '&').replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#8217;|&rsquo;/g, '\u2019')
    .replace(/&#8220;|&ldquo;/g, '\u201C').replace(/&#8221;|&rdquo;/g, '\u201D').replace(/&#8212;|&mdash;/g, '\u2014')
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/[ \t]*\n[ \t\n]*\n/g, '\n\n');
}
const real = [];
for (const f of ['2023 Q3 AAPL.pdf', 'NETFLIX_2015_10K.pdf', 'ADOBE_2022_10K.pdf']) {
  const t = execFileSync('pdftotext', ['-enc', 'UTF-8', path.join(shared, 'data/financial_pdf', f), '-'],
    { maxBuffer: 1 << 28 }).toString('utf8');
  real.push([f, t.slice(0, 90000)]);
}
for (const f of ['Apple.10-Q.html', 'aeon-20230930x10q.htm'])
  real.push([f, stripHtml(fs.readFileSync(path.join(shared, 'data/ixbrl_html', f), 'utf8')).slice(0, 60000)]);
real.push(['0001213900-25-032135.txt',
  fs.readFileSync(path.join(shared, 'data/edgar_fulltxt/0001213900-25-032135.txt'), 'utf8').slice(20000, 60000)]);
let realBytes = 0;
for (const [f, t] of real) {
  // Cut into pieces of about 6 KB at paragraph ends, as a chunker would.
  let start = 0, part = 0;
  while (start < t.length) {
    let end = Math.min(t.length, start + 6000);
    const para = t.lastIndexOf('\n\n', end);
    if (end < t.length && para > start + 2000) end = para + 2;
    const piece = t.slice(start, end);
    add(`real:${f}:${part++}`, piece);
    realBytes += Buffer.byteLength(piece);
    start = end;
  }
}

// ---- encode and write ----------------------------------------------------------------------------
const lines = [];
lines.push(JSON.stringify({
  format: 'dossier-tokenizer-golden', version: 1,
  reference: 'Hugging Face tokenizers 0.22.2 (Rust) via @anush008/tokenizers 0.6.0',
  tokenizer: 'models/qwen3-tokenizer/tokenizer.json', variants,
}));
async function encode(variant, special, text) {
  const e = await tk(variant, special).encode(text, null, { addSpecialTokens: false });
  return Array.from(e.getIds());
}
let n = 0;
for (const c of cases) {
  const text = c.text !== undefined ? c.text : new TextDecoder('utf-8').decode(c.bytes);
  const payload = c.text !== undefined ? { text: c.text } : { hex: c.bytes.toString('hex') };
  const isReal = c.name.startsWith('real:');
  const isRandom = c.name.startsWith('random_');
  const specials = isReal ? [0] : [1, 0];
  for (const special of specials) {
    lines.push(JSON.stringify({ variant: 'base', name: c.name, special, ...payload, ids: await encode('base', special, text) }));
    n++;
  }
  // Variants on the hand-written cases, a share of the random ones and two real pieces.
  if (isReal && !/:[0-1]$/.test(c.name)) continue;
  if (isRandom && Number(c.name.slice(7)) % 5 !== 0) continue;
  for (const v of Object.keys(variants)) {
    if (v === 'base') continue;
    lines.push(JSON.stringify({ variant: v, name: c.name, special: 1, ...payload, ids: await encode(v, 1, text) }));
    n++;
  }
}
fs.writeFileSync(path.join(here, 'golden.jsonl'), lines.join('\n') + '\n');
console.log(`golden.jsonl: ${n} cases, ${real.length} real documents (${realBytes} bytes of real text)`);

// ---- transformers.js on the same base cases, for information ----------------------------------
try {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.join(shared, 'models') + '/';
  const tj = await AutoTokenizer.from_pretrained('qwen3-tokenizer');
  let agree = 0, disagree = 0;
  const names = [];
  for (const line of lines.slice(1)) {
    const c = JSON.parse(line);
    if (c.variant !== 'base' || c.special !== 1) continue;
    const text = c.text !== undefined ? c.text : new TextDecoder('utf-8').decode(Buffer.from(c.hex, 'hex'));
    const ids = tj.encode(text, { add_special_tokens: false });
    if (JSON.stringify(ids) === JSON.stringify(c.ids)) agree++;
    else { disagree++; if (names.length < 12) names.push(c.name); }
  }
  console.log(`transformers.js agrees with the Rust library on ${agree} of ${agree + disagree} base cases` +
    (disagree ? `; differs on e.g. ${names.join(', ')}` : ''));
} catch (e) {
  console.log(`transformers.js not checked: ${e.message}`);
}

// The training API's messages (pocket.train, pocket.gradients) in both of the site's languages.
// train.js and pocket-train.js throw fail(code, values): an Error whose message is the English one
// (as gpt2guide's are; the worker's and the tests' language) and which carries its code and values,
// so that pocket-train.js can say it again in the page's language (<html lang>) before it rejects.
// Every message starts with the name of the option (or call) at fault, in both languages.

const MESSAGES = {
  wholeNumber: {
    en: "{name}: expected a whole number of at least {minimum}, got {got}",
    ja: "{name}: {minimum} 以上の整数を渡してください({got} が渡されました)。",
  },
  positive: {
    en: "{name}: expected a number above 0, got {got}",
    ja: "{name}: 0 より大きい数を渡してください({got} が渡されました)。",
  },
  configObject: {
    en: "config: expected {n_layer, n_head, n_embd, n_positions}, an object",
    ja: "config: {n_layer, n_head, n_embd, n_positions} のオブジェクトを渡してください。",
  },
  configWhole: {
    en: "config: {key} must be a whole number >= 1, got {got}",
    ja: "config: {key} は 1 以上の整数にしてください({got} が渡されました)。",
  },
  configPositions: {
    en: "config: n_positions must be at least 2 (one token to read, one to predict)",
    ja: "config: n_positions は 2 以上にしてください(読むトークンと予測するトークンが一つずつ要ります)。",
  },
  configMultiple: {
    en: "config: n_embd {width} is not a multiple of n_head {heads}; choose another width",
    ja: "config: n_embd {width} は n_head {heads} で割り切れません。別の幅を選んでください。",
  },
  configInner: {
    en: "config: n_inner must be null or a whole number",
    ja: "config: n_inner は null か整数にしてください。",
  },
  configTooLarge: {
    en:
      "config: {n} M values, more than the page trains ({most} M); " +
      "choose fewer layers, a smaller width or a shorter context",
    ja: "config: 値が {n} M 個あり、このページで学習できる数({most} M)を超えています。層を減らすか、幅か文脈長を小さくしてください。",
  },
  configVocab: {
    en: "config: a text run uses GPT-2's {vocab} tokens; vocab_size is for ids runs only",
    ja: "config: テキストの学習は GPT-2 の {vocab} 個のトークンを使います。vocab_size を指定できるのは ids の学習だけです。",
  },
  optionsObject: {
    en: "options: expected an object, e.g. {text, config, steps}",
    ja: "options: オブジェクトを渡してください(例: {text, config, steps})。",
  },
  notAnOption: {
    en: "{key}: not an option of train ({options})",
    ja: "{key}: train のオプションではありません(使えるのは {options} です)。",
  },
  oneSource: {
    en: "text: pass one of text, ids or batches",
    ja: "text: text、ids、batches のどれか一つを渡してください。",
  },
  textString: {
    en: "text: expected a non-empty string, got {got}",
    ja: "text: 空でない文字列を渡してください({got} が渡されました)。",
  },
  stepsOrSeconds: {
    en: "steps: pass steps (optimizer steps) or seconds (of training), or both",
    ja: "steps: steps(最適化のステップ数)か seconds(学習の秒数)、またはその両方を渡してください。",
  },
  minLr: {
    en: "minLr: expected a number from 0 to lr ({lr}), got {got}",
    ja: "minLr: 0 から lr({lr})までの数を渡してください({got} が渡されました)。",
  },
  weightDecay: {
    en: "weightDecay: expected a number of 0 or more, got {got}",
    ja: "weightDecay: 0 以上の数を渡してください({got} が渡されました)。",
  },
  simd: {
    en: "simd: expected true or false, got {got}",
    ja: "simd: true か false を渡してください({got} が渡されました)。",
  },
  weightsBuffer: {
    en: "weights: expected an ArrayBuffer of a model.safetensors file",
    ja: "weights: model.safetensors ファイルの ArrayBuffer を渡してください。",
  },
  weightsMissing: {
    en: "weights: tensor {name} is missing (is the config this checkpoint's?)",
    ja: "weights: テンソル {name} がありません(config はこのチェックポイントのものですか)。",
  },
  weightsShape: {
    en: "weights: {name} has shape ({shape}), the config says ({expected})",
    ja: "weights: {name} の形状は ({shape}) ですが、config によれば ({expected}) です。",
  },
  batchPerStep: {
    en: "steps: {steps} steps but {batches} batches; pass a batch for every step",
    ja: "steps: {steps} ステップに対してバッチが {batches} 個です。ステップごとにバッチを一つ渡してください。",
  },
  ids: {
    en: "{name}: expected token ids (an array of whole numbers), or equal-length arrays of them",
    ja: "{name}: トークン ID(整数の配列)か、同じ長さのその配列の並びを渡してください。",
  },
  idRange: {
    en: "{name}: ids must be whole numbers from 0 to {last} (vocab_size), got {got}",
    ja: "{name}: ID は 0 から {last}(vocab_size)までの整数にしてください({got} が渡されました)。",
  },
  prompt: {
    en: "prompt: expected 1 to {most} token ids, got {n}",
    ja: "prompt: トークン ID を 1 個から {most} 個まで渡してください({n} 個が渡されました)。",
  },
  batchesList: {
    en: "batches: expected a list of batches, each a list of equal-length token-id arrays",
    ja: "batches: バッチの並びを渡してください。各バッチは同じ長さのトークン ID 配列の並びです。",
  },
  batchRows: {
    en: "batches: each batch is a non-empty list of token-id arrays",
    ja: "batches: 各バッチはトークン ID 配列の空でない並びにしてください。",
  },
  batchLength: {
    en: "batches: each window holds 2 to n_positions + 1 ({most}) tokens",
    ja: "batches: 各ウィンドウのトークン数は 2 から n_positions + 1({most})までにしてください。",
  },
  batchEqual: {
    en: "batches: the windows of a batch differ in length",
    ja: "batches: 一つのバッチの中でウィンドウの長さがそろっていません。",
  },
  noneLeft: {
    en: "ids: {n} sequence(s) leave none for training after holding one out",
    ja: "ids: {n} 個の系列では、検証用に一つ取り分けると学習に使う系列が残りません。",
  },
  tooShort: {
    en: "text: too short: {n} training tokens are fewer than one window of {window} (context + 1); pass more text or a smaller context",
    ja: "text: 短すぎます。学習用のトークンが {n} 個で、ウィンドウ一つ分の {window} 個(文脈長 + 1)に足りません。テキストを増やすか、文脈長を小さくしてください。",
  },
  heldOutShort: {
    en: "heldOut: the held-out part needs at least 2 tokens; pass more text",
    ja: "heldOut: 検証用の部分には 2 トークン以上が要ります。テキストを増やしてください。",
  },
  running: {
    en: "train: a run is in progress; stop or reset it first",
    ja: "train: 学習の実行中です。先に止めるかリセットしてください。",
  },
  workerFailed: {
    en: "{call}: the worker failed ({why})",
    ja: "{call}: ワーカーが失敗しました({why})。",
  },
  reset: { en: "train: the run was reset", ja: "train: 学習はリセットされました。" },
  gradientIds: {
    en: "ids: expected a batch of equal-length token-id arrays",
    ja: "ids: 同じ長さのトークン ID 配列のバッチを渡してください。",
  },
  weightsArrayBuffer: { en: "weights: expected an ArrayBuffer", ja: "weights: ArrayBuffer を渡してください。" },
};

const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

/** An Error with the English message of `code`, carrying code and values (for inLanguage). */
export function fail(code, values = {}) {
  const error = new Error(fill(MESSAGES[code].en, values));
  error.code = code;
  error.values = values;
  return error;
}

/** The same error in a page's language ("ja..." or else English): a new Error, or the error itself
 *  when it has no code (an unexpected failure keeps its own words). */
export function inLanguage(error, lang) {
  const message = error && MESSAGES[error.code];
  if (!message) return error;
  const said = new Error(fill(String(lang).startsWith("ja") ? message.ja : message.en, error.values ?? {}));
  said.code = error.code;
  said.values = error.values;
  return said;
}

/** The languages' codes, for the tests: every code has both, each starting with the same name. */
export const CODES = Object.keys(MESSAGES);
export const messageOf = (code, lang) => MESSAGES[code][lang];

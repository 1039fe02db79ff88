// i18n.js — every string a user reads, in English and Simplified Chinese.
// Elements carry data-i18n="key" (and data-i18n-params='{"n":3}' for
// placeholders, data-i18n-title for tooltips); apply() fills them in, so a
// language switch is one pass over the page. Keras names (Dense, relu, adam,
// val_loss, …) are code and stay as they are in both languages.

const TABLE = {
  en: {
    'app.title': 'nnlab — train MNIST in your browser',
    'app.tagline': 'Build a neural network, train it on MNIST, right in this tab.',
    'app.kernelSimd': 'WebAssembly SIMD',
    'app.kernelScalar': 'WebAssembly (scalar)',
    'app.language': 'Language',

    'data.title': 'Data: MNIST',
    'data.loadingShort': 'Loading MNIST…',
    'data.loading': 'Downloading…',
    'data.progress': 'Downloading {mb} MB … {pct}%',
    'data.sending': 'Decompressed; handing the images to the training worker…',
    'data.ready': 'Loaded: 28×28 grey images of handwritten digits 0–9.',
    'data.trainTest': 'train / test',
    'data.pill': 'MNIST {train} / {test}',
    'data.failed': 'MNIST could not be loaded',
    'data.errShort': '{name}: the file is only {n} bytes long, too short for an IDX header.',
    'data.errMagic': '{name}: expected magic {want}, found {got}. Is it the right file?',
    'data.errLength': '{name}: the header promises {want} bytes but the file has {got}.',
    'data.errHttp': '{name}: the server answered {status}.',
    'data.errGzip': '{name}: could not decompress ({msg}).',
    'data.errCount': '{set}: {images} images but {labels} labels.',

    'model.title': 'Model',
    'model.presets': 'Presets',
    'preset.logreg': 'Logistic regression',
    'preset.mlp': 'MLP (100 relu)',
    'preset.deep': 'Deep MLP',
    'model.addDense': '+ Dense',
    'model.addDropout': '+ Dropout',
    'layer.units': 'units',
    'layer.activation': 'activation',
    'layer.rate': 'rate',
    'layer.up': 'Move up',
    'layer.down': 'Move down',
    'layer.remove': 'Remove layer',

    'compile.title': 'Compile',
    'compile.optimizer': 'Optimizer',
    'compile.lr': 'Learning rate',
    'compile.lrDefault': 'Keras default: {lr}',
    'compile.loss': 'Loss',
    'compile.catHint': 'Labels are one-hot encoded (to_categorical) for this loss.',
    'compile.sparseHint': 'Labels stay integers 0–9: no one-hot encoding.',
    'compile.metric': 'Metric',

    'fit.title': 'Fit',
    'fit.epochs': 'Epochs',
    'fit.batchSize': 'Batch size',
    'fit.trainLimit': 'Training samples',
    'fit.all': 'all',
    'fit.validation': 'Validation',
    'fit.valTest': 'test set (10000 images)',
    'fit.valSplit': 'split of the training data',
    'fit.shuffle': 'Shuffle',
    'fit.shuffleEach': 'every epoch',
    'fit.seed': 'Seed',
    'fit.seedHint': 'Fixes the initial weights, the shuffling and dropout.',

    'train.title': 'Training',
    'train.start': 'Start',
    'train.pause': 'Pause',
    'train.resume': 'Resume',
    'train.stop': 'Stop',
    'train.step': 'One step',
    'train.evaluate': 'Evaluate on test set',
    'train.save': 'Download model',
    'train.load': 'Load model…',
    'train.error': 'Error:',
    'train.evalResult': 'Test set: loss {loss} · accuracy {acc}',
    'train.placeholder': 'Press Start to train the model. Progress appears here, one line per epoch, as Keras prints it.',
    'train.head': 'Training on {n} samples.',
    'train.headVal': 'Training on {n} samples, validating on {v}.',
    'train.elapsed': 'elapsed',
    'train.eta': 'ETA',
    'train.stoppedNote': 'Stopped. The model keeps what it learned so far.',
    'train.loadedNote': 'Loaded model file {name}.',
    'state.idle': 'Ready',
    'state.running': 'Training…',
    'state.paused': 'Paused',

    'charts.title': 'History',
    'charts.train': 'training',
    'charts.val': 'validation',
    'charts.batch': 'per batch (smoothed)',
    'charts.showBatches': 'show batches',
    'charts.loss': 'Loss',
    'charts.accuracy': 'Accuracy',
    'charts.png': 'PNG',
    'charts.epoch': 'Epoch',

    'runs.title': 'Runs',
    'runs.hint': 'Every training run is kept. Tick runs to overlay them on the charts and compare models.',
    'runs.empty': 'No runs yet.',
    'runs.running': 'training',
    'runs.stopped': 'stopped',
    'runs.failed': 'failed',
    'runs.lossCat': 'categorical CE',
    'runs.lossSparse': 'sparse CE',
    'runs.descFit': '{n} samples × {e} epochs · batch {b}',
    'runs.overlay': 'Show on the charts',
    'runs.rename': 'Rename',
    'runs.delete': 'Delete',
    'runs.defaultName': 'Run {n}',
    'runs.cannotDelete': 'Stop training before deleting this run.',

    'code.title': 'Keras code',
    'code.copy': 'Copy',
    'code.copied': 'Copied to the clipboard',

    'predict.title': 'Predictions on test images',
    'predict.more': 'Other images',
    'predict.empty': 'Train a model, then see what it predicts.',
    'predict.label': 'label {y}',

    'footer.text': 'nnlab — a C training core compiled to WebAssembly. Everything runs in your browser.',

    'dialog.ok': 'Continue',
    'dialog.cancel': 'Cancel',
    'dialog.changeWhileTraining': 'Training is running. Changing the model stops it and builds a new, untrained model (the run so far stays in the list). Continue?',
    'dialog.loadWhileTraining': 'Training is running. Loading a model file stops it. Continue?',

    'err.noLayers': 'Add at least one layer.',
    'err.tooManyLayers': 'At most {max} layers.',
    'err.noDense': 'The model needs at least one Dense layer.',
    'err.units': 'Units must be a whole number from 1 to {max}.',
    'err.lastUnits': 'The last Dense layer must have {n} units, one per digit.',
    'err.rate': 'The rate must be at least 0 and below 1.',
    'err.lr': 'The learning rate must be greater than 0.',
    'err.seed': 'The seed must be a whole number from 0 to 4294967295.',
    'err.epochs': 'Epochs must be a whole number from 1 to 1000.',
    'err.trainLimit': 'Training samples must be a whole number from 1 to {max}.',
    'err.split': 'The validation split must be above 0 and below 1.',
    'err.batch': 'The batch size must be a whole number of at least 1.',
    'err.batchTooLarge': 'The batch size cannot be larger than the {n} training samples.',
    'warn.softmax': 'The last layer usually uses softmax, so that its outputs are probabilities for the cross-entropy loss.',
  },

  zh: {
    'app.title': 'nnlab — 在浏览器中训练 MNIST',
    'app.tagline': '搭建神经网络，在这个浏览器标签页里直接用 MNIST 训练。',
    'app.kernelSimd': 'WebAssembly SIMD',
    'app.kernelScalar': 'WebAssembly（标量）',
    'app.language': '语言',

    'data.title': '数据：MNIST',
    'data.loadingShort': '正在加载 MNIST…',
    'data.loading': '正在下载…',
    'data.progress': '正在下载 {mb} MB … {pct}%',
    'data.sending': '已解压，正在把图像交给训练线程…',
    'data.ready': '已加载：28×28 的手写数字 0–9 灰度图。',
    'data.trainTest': '训练集 / 测试集',
    'data.pill': 'MNIST {train} / {test}',
    'data.failed': '无法加载 MNIST',
    'data.errShort': '{name}：文件只有 {n} 字节，不足以容纳 IDX 文件头。',
    'data.errMagic': '{name}：魔数应为 {want}，实际为 {got}。文件对吗？',
    'data.errLength': '{name}：文件头声明 {want} 字节，实际有 {got} 字节。',
    'data.errHttp': '{name}：服务器返回 {status}。',
    'data.errGzip': '{name}：无法解压（{msg}）。',
    'data.errCount': '{set}：{images} 张图像，却有 {labels} 个标签。',

    'model.title': '模型',
    'model.presets': '预设',
    'preset.logreg': '逻辑回归',
    'preset.mlp': 'MLP（100 relu）',
    'preset.deep': '深层 MLP',
    'model.addDense': '+ Dense 层',
    'model.addDropout': '+ Dropout 层',
    'layer.units': '单元数',
    'layer.activation': '激活函数',
    'layer.rate': '比例',
    'layer.up': '上移',
    'layer.down': '下移',
    'layer.remove': '删除该层',

    'compile.title': '编译',
    'compile.optimizer': '优化器',
    'compile.lr': '学习率',
    'compile.lrDefault': 'Keras 默认值：{lr}',
    'compile.loss': '损失函数',
    'compile.catHint': '使用该损失时，标签会做 one-hot 编码（to_categorical）。',
    'compile.sparseHint': '标签保持整数 0–9，不做 one-hot 编码。',
    'compile.metric': '评估指标',

    'fit.title': '训练设置',
    'fit.epochs': '轮数（epochs）',
    'fit.batchSize': '批大小',
    'fit.trainLimit': '训练样本数',
    'fit.all': '全部',
    'fit.validation': '验证',
    'fit.valTest': '测试集（10000 张）',
    'fit.valSplit': '从训练数据中划分',
    'fit.shuffle': '打乱',
    'fit.shuffleEach': '每轮打乱',
    'fit.seed': '随机种子',
    'fit.seedHint': '决定初始权重、打乱顺序和 dropout。',

    'train.title': '训练',
    'train.start': '开始',
    'train.pause': '暂停',
    'train.resume': '继续',
    'train.stop': '停止',
    'train.step': '单步',
    'train.evaluate': '在测试集上评估',
    'train.save': '下载模型',
    'train.load': '加载模型…',
    'train.error': '错误：',
    'train.evalResult': '测试集：loss {loss} · accuracy {acc}',
    'train.placeholder': '点击“开始”训练模型。训练进度会显示在这里，每轮一行，和 Keras 的输出一样。',
    'train.head': '在 {n} 个样本上训练。',
    'train.headVal': '在 {n} 个样本上训练，在 {v} 个样本上验证。',
    'train.elapsed': '已用',
    'train.eta': '剩余',
    'train.stoppedNote': '已停止。模型保留了目前学到的内容。',
    'train.loadedNote': '已加载模型文件 {name}。',
    'state.idle': '就绪',
    'state.running': '训练中…',
    'state.paused': '已暂停',

    'charts.title': '训练历史',
    'charts.train': '训练',
    'charts.val': '验证',
    'charts.batch': '每批（平滑）',
    'charts.showBatches': '显示每批',
    'charts.loss': '损失（loss）',
    'charts.accuracy': '准确率（accuracy）',
    'charts.png': 'PNG',
    'charts.epoch': '轮',

    'runs.title': '训练记录',
    'runs.hint': '每次训练都会保留。勾选多次训练，把曲线叠加在一起比较模型。',
    'runs.empty': '还没有训练记录。',
    'runs.running': '训练中',
    'runs.stopped': '已停止',
    'runs.failed': '失败',
    'runs.lossCat': '分类交叉熵',
    'runs.lossSparse': '稀疏分类交叉熵',
    'runs.descFit': '{n} 个样本 × {e} 轮 · 批大小 {b}',
    'runs.overlay': '显示在图表上',
    'runs.rename': '重命名',
    'runs.delete': '删除',
    'runs.defaultName': '第 {n} 次训练',
    'runs.cannotDelete': '请先停止训练再删除这条记录。',

    'code.title': 'Keras 代码',
    'code.copy': '复制',
    'code.copied': '已复制到剪贴板',

    'predict.title': '测试图像上的预测',
    'predict.more': '换一批图像',
    'predict.empty': '训练模型后，在这里查看它的预测。',
    'predict.label': '标签 {y}',

    'footer.text': 'nnlab — 用 C 编写、编译为 WebAssembly 的训练核心。一切都在你的浏览器中运行。',

    'dialog.ok': '继续',
    'dialog.cancel': '取消',
    'dialog.changeWhileTraining': '正在训练。修改模型会停止训练并新建一个未训练的模型（目前的训练记录会保留在列表中）。要继续吗？',
    'dialog.loadWhileTraining': '正在训练。加载模型文件会停止训练。要继续吗？',

    'err.noLayers': '请至少添加一层。',
    'err.tooManyLayers': '最多 {max} 层。',
    'err.noDense': '模型至少需要一个 Dense 层。',
    'err.units': '单元数必须是 1 到 {max} 之间的整数。',
    'err.lastUnits': '最后一个 Dense 层必须有 {n} 个单元，每个数字一个。',
    'err.rate': '比例必须大于等于 0 且小于 1。',
    'err.lr': '学习率必须大于 0。',
    'err.seed': '随机种子必须是 0 到 4294967295 之间的整数。',
    'err.epochs': '轮数必须是 1 到 1000 之间的整数。',
    'err.trainLimit': '训练样本数必须是 1 到 {max} 之间的整数。',
    'err.split': '验证比例必须大于 0 且小于 1。',
    'err.batch': '批大小必须是至少为 1 的整数。',
    'err.batchTooLarge': '批大小不能超过训练样本数（{n}）。',
    'warn.softmax': '最后一层通常使用 softmax，使输出成为交叉熵损失所需的概率。',
  },
};

export const LANGUAGES = Object.keys(TABLE);
const STORE_KEY = 'nnlab.lang';

let lang = pickInitial();
const listeners = [];

function pickInitial() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved && TABLE[saved]) return saved;
  } catch {
    // no storage: fall through
  }
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function getLang() {
  return lang;
}

// The string for `key` in the current language, with {name} placeholders filled.
export function t(key, params) {
  const s = TABLE[lang][key] ?? TABLE.en[key] ?? key;
  return params ? s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : s;
}

// Fill every [data-i18n] / [data-i18n-title] element under root.
export function apply(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => {
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : undefined;
    el.textContent = t(el.dataset.i18n, params);
  });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute('aria-label', el.title);
  });
}

// Give an element translatable text that follows the language switch.
export function setI18n(el, key, params) {
  el.dataset.i18n = key;
  if (params) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
}

export function setLang(l) {
  if (!TABLE[l]) return;
  lang = l;
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.title');
  apply(document);
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

// strings/access.js — the sentences of layout, phones, projector mode, keyboard and screen readers, the charts' text alternative.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).
// Keras's names (loss, accuracy, val_loss, val_accuracy) are code and stay as they are.

export default {
  en: {
    'access.skip': 'Skip to training',
    'access.projector': 'Projector',
    'access.projectorTitle': 'Projector mode: large type, high contrast, large charts and pad (remembered in this browser)',
    'access.console': 'Training log',
    'access.live': 'Epoch {epoch}/{epochs} · loss {loss} · accuracy {acc}',
    'access.liveVal': 'Epoch {epoch}/{epochs} · loss {loss} · accuracy {acc} · val_loss {valLoss} · val_accuracy {valAcc}',
    'access.liveNone': 'No epoch trained yet: the charts and this line fill in as a model trains.',
    'access.tableSummary': 'The numbers as a table',
    'access.tableLabel': 'Loss and accuracy of each epoch',
    'access.tableCaption': '{name}: each epoch',
    'access.colEpoch': 'Epoch',
    'access.cellCount': '{n} images of a true {y} predicted as {p}',
    'access.cellRow': '{n}% of the true {y}s predicted as {p}',
  },
  zh: {
    'access.skip': '跳到训练',
    'access.projector': '投影模式',
    'access.projectorTitle': '投影模式：大字号、高对比度，图表和画板更大（此浏览器会记住）',
    'access.console': '训练日志',
    'access.live': '第 {epoch}/{epochs} 轮 · loss {loss} · accuracy {acc}',
    'access.liveVal': '第 {epoch}/{epochs} 轮 · loss {loss} · accuracy {acc} · val_loss {valLoss} · val_accuracy {valAcc}',
    'access.liveNone': '还没有训练完任何一轮：模型训练时，图表和这一行会逐轮更新。',
    'access.tableSummary': '以表格显示数值',
    'access.tableLabel': '每一轮的损失和准确率',
    'access.tableCaption': '{name}：每一轮',
    'access.colEpoch': '轮次',
    'access.cellCount': '{n} 张真实为 {y} 的图像被预测为 {p}',
    'access.cellRow': '真实为 {y} 的图像中 {n}% 被预测为 {p}',
  },
};

// strings/offline.js — the sentences of the service worker: offline, the update prompt, storage.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).

export default {
  en: {
    'offline.saving': 'Saving for offline use…',
    'offline.ready': 'Available offline',
    'offline.persisted': 'All of nnlab ({mb} MB: the page, the models and MNIST) is saved in this browser, which keeps it until you clear the site\'s data.',
    'offline.bestEffort': 'All of nnlab ({mb} MB: the page, the models and MNIST) is saved in this browser. It did not grant persistent storage, so it may remove the files when space runs low; the next visit online saves them again.',
    'offline.failed': 'Not available offline',
    'offline.failedTip': 'Some files could not be saved for offline use. Reload the page while online to try again.',
    'offline.unavailableTip': 'This browser cannot keep nnlab for offline use here: that needs HTTPS or localhost, and not a private window.',
    'offline.updateReady': 'A new version of nnlab is ready.',
    'offline.reload': 'Reload',
  },
  zh: {
    'offline.saving': '正在保存以供离线使用…',
    'offline.ready': '可离线使用',
    'offline.persisted': '整个 nnlab（{mb} MB：页面、模型和 MNIST）已保存在此浏览器中，在你清除本站数据之前会一直保留。',
    'offline.bestEffort': '整个 nnlab（{mb} MB：页面、模型和 MNIST）已保存在此浏览器中。浏览器没有授予持久存储，空间不足时可能删除这些文件；下次联网访问时会重新保存。',
    'offline.failed': '无法离线使用',
    'offline.failedTip': '部分文件未能保存以供离线使用。请在联网时重新加载页面再试。',
    'offline.unavailableTip': '此浏览器无法在这里保存 nnlab 以供离线使用：这需要 HTTPS 或 localhost，且不能是隐私窗口。',
    'offline.updateReady': 'nnlab 的新版本已就绪。',
    'offline.reload': '重新加载',
  },
};

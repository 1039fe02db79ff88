// strings/threads.js — the sentences of the threads selector and the engine pill.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).

export default {
  en: {
    'threads.label': 'Threads',
    'threads.pillSimd': 'WebAssembly SIMD · {n} threads',
    'threads.pillSimdOne': 'WebAssembly SIMD · 1 thread',
    'threads.pillScalar': 'WebAssembly (scalar) · {n} threads',
    'threads.pillScalarOne': 'WebAssembly (scalar) · 1 thread',
    'threads.title': 'Training is split between this many of your computer’s {cores} cores; the numbers are the same for any count.',
    'threads.notIsolated': 'One thread: threads need a cross-origin isolated page (the headers scripts/serve.mjs and the offline copy send), and this server sends none.',
    'threads.threadsFailed': 'One thread: the threads module could not be loaded in this browser.',
    'threads.failed': 'The number of threads could not be changed: {message}',
  },
  zh: {
    'threads.label': '线程',
    'threads.pillSimd': 'WebAssembly SIMD · {n} 个线程',
    'threads.pillSimdOne': 'WebAssembly SIMD · 1 个线程',
    'threads.pillScalar': 'WebAssembly（标量）· {n} 个线程',
    'threads.pillScalarOne': 'WebAssembly（标量）· 1 个线程',
    'threads.title': '训练分给你电脑 {cores} 个核心中的这么多个来做；线程数不同，结果完全一样。',
    'threads.notIsolated': '只用 1 个线程：多线程需要跨源隔离的页面（scripts/serve.mjs 和离线副本会发送相应的响应头），而这个服务器没有发送。',
    'threads.threadsFailed': '只用 1 个线程：这个浏览器无法加载多线程模块。',
    'threads.failed': '无法更改线程数：{message}',
  },
};

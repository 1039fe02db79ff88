// strings/notes.js — the teaching notes beside each concept the notebook the page grew
// from explains: a title (the question a student asks) and a short answer.
// index.html places each one (<details class="note">) next to the setting it is about.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).

export default {
  en: {
    'note.scale.title': 'Why divide the pixels by 255?',
    'note.scale.body': 'Each pixel is a grey level from 0 (the black background) to 255 (white ink). Dividing by 255 puts every input in [0, 1]: small numbers of the same size keep the first layer’s sums in the range where the initial weights and the default learning rate work. The page does it for you, as x_train / 255 does in the Keras code.',
    'note.flatten.title': 'From 28×28 to 784',
    'note.flatten.body': 'A Dense layer reads a flat list of numbers, so each 28×28 image is laid out row after row as 784 values: reshape(-1, 784). Nothing is lost, but a pixel’s neighbours above and below are now 28 places away, and the layer has to learn that they belong together. Convolutional layers keep the image’s shape, (28, 28, 1), and use its neighbourhoods; Flatten comes after them, before the Dense layers.',
    'note.layers.title': 'What Dense, ReLU and softmax compute',
    'note.layers.body': 'Dense(100) computes 100 weighted sums of all its inputs, each plus a bias: y = x·W + b; training changes W and b. ReLU keeps positive values and turns negative ones into 0, max(0, x): without such a bend, several Dense layers in a row would compute no more than one. Softmax turns the last layer’s 10 numbers into probabilities that add up to 1, exp(zᵢ) / Σ exp(zⱼ); the largest is the prediction.',
    'note.conv.title': 'What a convolution and a pooling layer do',
    'note.conv.body': 'Conv2D slides small filters (3×3, say) over the image. At every position a filter computes a weighted sum of the pixels under it, so each filter makes one feature map that is large where its pattern (an edge, a stroke) appears. The same weights are used at every position: a 3×3 filter on one channel has 9 weights and a bias, however large the image. MaxPooling2D(2) keeps the largest value of each 2×2 block: the maps shrink by half, and a digit shifted by a pixel gives almost the same result.',
    'note.labels.title': 'One-hot or sparse labels?',
    'note.labels.body': 'A label is a digit from 0 to 9. categorical_crossentropy wants it one-hot: 3 becomes [0, 0, 0, 1, 0, 0, 0, 0, 0, 0] (keras.utils.to_categorical). sparse_categorical_crossentropy takes the integer 3 as it is. Both compute the same loss, −log of the probability the model gives the right digit; only the labels’ format differs.',
    'note.adam.title': 'What Adam does',
    'note.adam.body': 'The gradient says which way each weight would make the loss grow; every optimizer steps the other way. SGD takes a step of learning rate × gradient. Adam keeps, for each weight, a moving average of its gradients (momentum) and of their squares, and steps by the first divided by the square root of the second: each weight moves by about the learning rate, whatever the size of its gradient. That is why 0.001 suits most networks.',
    'note.epochs.title': 'Epochs and batches',
    'note.epochs.body': 'The weights change after every batch: with batch size 32 the network looks at 32 images, averages their loss and takes one step, so 60,000 images make 1,875 steps. An epoch is one pass over all the training images, each epoch in a new order when shuffling is on. Smaller batches give more steps, each noisier; larger ones fewer, smoother steps.',
    'note.validation.title': 'What validation accuracy tells, and what overfitting looks like',
    'note.validation.body': 'Training accuracy is measured on the images the network learns from; validation accuracy on images it never trains on, so it tells how well the network does on new digits. Overfitting on the charts: the training loss keeps falling while the validation loss stops falling and starts to rise, and the two accuracy curves move apart. Fewer epochs, dropout or more training data help.',
  },
  zh: {
    'note.scale.title': '为什么要把像素值除以 255？',
    'note.scale.body': '每个像素是一个灰度值，从 0（黑色背景）到 255（白色笔迹）。除以 255 之后，每个输入都落在 [0, 1] 之间：大小相近的小数能让第一层的加权和保持在初始权重和默认学习率适用的范围内。页面会替你完成这一步，就像 Keras 代码里的 x_train / 255。',
    'note.flatten.title': '从 28×28 到 784',
    'note.flatten.body': 'Dense 层读取的是一串扁平的数，所以每张 28×28 的图像被一行接一行地排成 784 个值：reshape(-1, 784)。信息没有丢失，但一个像素上下方的邻居现在相隔 28 个位置，这一层得自己学会它们属于一起。卷积层保留图像的形状 (28, 28, 1)，利用像素的邻域；Flatten 放在卷积层之后、Dense 层之前。',
    'note.layers.title': 'Dense、ReLU 和 softmax 计算什么',
    'note.layers.body': 'Dense(100) 计算 100 个加权和，每个都用到全部输入，再加上一个偏置：y = x·W + b；训练改变的就是 W 和 b。ReLU 保留正值、把负值变成 0，即 max(0, x)：没有这样的“弯折”，连着的几个 Dense 层算出的东西不会比一层更多。softmax 把最后一层的 10 个数变成加起来等于 1 的概率，exp(zᵢ) / Σ exp(zⱼ)；最大的那个就是预测结果。',
    'note.conv.title': '卷积层和池化层做什么',
    'note.conv.body': 'Conv2D 让小的滤波器（例如 3×3）在图像上滑动。在每个位置，滤波器对它覆盖的像素求加权和，所以每个滤波器生成一张特征图，在出现它的图案（一条边、一道笔画）的地方数值大。所有位置共用同一组权重：单通道上的一个 3×3 滤波器只有 9 个权重和 1 个偏置，不论图像多大。MaxPooling2D(2) 保留每个 2×2 区块里的最大值：特征图缩小一半，数字平移一个像素时结果也几乎不变。',
    'note.labels.title': '独热标签还是稀疏标签？',
    'note.labels.body': '标签是 0 到 9 的一个数字。categorical_crossentropy 要求独热编码：3 变成 [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]（keras.utils.to_categorical）。sparse_categorical_crossentropy 直接使用整数 3。两者计算的是同一个损失：模型给正确数字的概率取 −log；区别只在标签的格式。',
    'note.adam.title': 'Adam 做什么',
    'note.adam.body': '梯度说明每个权重朝哪个方向变化会让损失增大；每种优化器都朝相反方向迈一步。SGD 的步长是学习率 × 梯度。Adam 为每个权重记录梯度的滑动平均（动量）和梯度平方的滑动平均，用前者除以后者的平方根作为步长：不论梯度大小，每个权重每步大约移动一个学习率。所以 0.001 适合大多数网络。',
    'note.epochs.title': '轮（epoch）和批（batch）',
    'note.epochs.body': '每处理完一批，权重就更新一次：批大小为 32 时，网络看 32 张图像，求它们损失的平均值，迈出一步，所以 60,000 张图像是 1,875 步。一轮是把全部训练图像看一遍；打开打乱选项时，每轮的顺序都不同。批越小，步数越多、每步越“嘈杂”；批越大，步数越少、越平稳。',
    'note.validation.title': '验证准确率说明什么，过拟合是什么样子',
    'note.validation.body': '训练准确率是在网络学习用的图像上测的；验证准确率是在它从未训练过的图像上测的，所以它说明网络对新数字的表现。过拟合在图表上的样子：训练损失继续下降，验证损失却不再下降、开始上升，两条准确率曲线越分越开。减少轮数、使用 dropout 或增加训练数据会有帮助。',
  },
};

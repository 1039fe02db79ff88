/*
 * main.c — entry point of `nnlab`, the native command-line trainer.
 *
 * Dispatches to one subcommand (train, eval, predict, summary; see
 * commands.c). The CLI is the only place in nnlab that prints or exits.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct subcommand {
    const char *name;                  // as typed after `nnlab`
    int (*run)(int argc, char **argv); // parses argv[2..]
    const char *summary;               // one line for `nnlab --help`
} subcommand;

static const subcommand COMMANDS[] = {
    {"train", cli_train, "train a network on MNIST (Keras fit), optionally save it"},
    {"eval", cli_eval, "loss and accuracy of a saved model on the test set"},
    {"predict", cli_predict, "classify test images with a saved model"},
    {"summary", cli_summary, "the Keras summary() table of a model or a layer list"},
};
#define N_COMMANDS ((int)(sizeof COMMANDS / sizeof COMMANDS[0]))

static void print_usage(FILE *f) {
    fprintf(f, "Usage: nnlab <command> [options]\n\n"
               "Train and run small neural networks on MNIST with Keras semantics.\n\n"
               "Commands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\nRun 'nnlab <command> --help' for the options of a command, 'nnlab --version'\n"
               "for the version.\n\n"
               "Example:\n"
               "  nnlab train --layers \"100:relu,10:softmax\" --epochs 5 --save mlp.nnl\n"
               "  nnlab eval --model mlp.nnl\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("nnlab %s\n", NN_VERSION);
        return CLI_EXIT_OK;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, COMMANDS[i].name) == 0) return COMMANDS[i].run(argc, argv);

    fprintf(stderr, "nnlab: unknown command '%s' (commands: train, eval, predict, summary)\n"
                    "Run 'nnlab --help' for usage.\n",
            name);
    return CLI_EXIT_USAGE;
}

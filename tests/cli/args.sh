#!/usr/bin/env bash
# args.sh — misuse of the CLI exits 2 with a message naming the culprit,
# before any data is read or any file is written.
. "$(dirname "$0")/helpers.bash"

# Options and values
expect_exit 2 "unknown option '--bogus'" train --bogus
expect_exit 2 "unknown option '--epoch'" train --epoch 3
expect_exit 2 "--epochs needs a value" train --epochs
expect_exit 2 "--save needs a value" train --save --epochs 2
expect_exit 2 "--epochs expects a whole number, got 'abc'" train --epochs abc
expect_exit 2 "--epochs expects a whole number, got '2.5'" train --epochs 2.5
expect_exit 2 "--lr expects a number, got '0.1x'" train --lr 0.1x
expect_exit 2 "--lr expects a finite number" train --lr inf
expect_exit 2 "--seed expects a non-negative whole number" train --seed -1
expect_exit 2 "--quiet takes no value" train --quiet=1
expect_exit 2 "unexpected argument 'extra'" train extra

# Values out of range
expect_exit 2 "--epochs must not be negative" train --epochs -1
expect_exit 2 "--batch-size must be at least 1" train --batch-size 0
# The library's rules (lr > 0, momentum in [0, 1]), checked before any data is read.
expect_exit 2 "--lr: learning rate -0.001 must be a positive number \(Keras default for adam: 0.001\)" train --lr -0.001
expect_exit 2 "--lr: learning rate 0 must be a positive number \(Keras default for sgd: 0.01\)" train --optimizer sgd --lr 0
expect_exit 2 "--lr: learning rate -1 must be a positive number" train --lr=-1
expect_exit 2 "--limit must be at least 1" train --limit 0
expect_exit 2 "--validation-split must be in \[0, 1\)" train --validation-split 1.5
expect_exit 2 "--momentum: momentum 2 must be in \[0, 1\]" train --optimizer sgd --momentum 2
expect_exit 2 "--momentum: momentum 1.01 must be in \[0, 1\]" train --optimizer sgd --momentum 1.01

# Names
expect_exit 2 "unknown optimizer 'adamw'.*adam" train --optimizer adamw
expect_exit 2 "unknown loss 'hinge'" train --loss hinge
expect_exit 2 "--layers:.*relux" train --layers "100:relux,10:softmax"
expect_exit 2 "--layers:.*foo" train --layers "100:relu:foo,10:softmax"
expect_exit 2 "--init: unknown initializer 'lecun'" train --init lecun
expect_exit 2 "--momentum only applies to --optimizer sgd" train --optimizer adam --momentum 0.9
expect_exit 2 "--nesterov only applies to --optimizer sgd" train --nesterov
expect_exit 2 "--layers cannot be combined with --resume" train --resume x.nnl --layers 10:softmax

# Commands
expect_exit 2 "unknown command 'fit'" fit
expect_exit 2 "Usage: nnlab" # no command at all
expect_exit 2 "--model FILE is required" eval
expect_exit 2 "--model FILE is required" predict
expect_exit 2 "exactly one of --model FILE and --layers LIST" summary
expect_exit 2 "--count must be at least 1" predict --model x.nnl --count 0

# Library failures: "nnlab: error: <sentence>", still exit 2
expect_exit 2 "^nnlab: error: .*$TMP/none" train --data "$TMP/none"
expect_exit 2 "npm ci" train --data "$TMP/none"
expect_exit 2 "^nnlab: error: .*missing.nnl" eval --model "$TMP/missing.nnl"
printf 'not a model' >"$TMP/junk.nnl"
expect_exit 2 "^nnlab: error: " eval --model "$TMP/junk.nnl"
[ ! -e model.nnl ] && pass "no stray model.nnl written" || fail "a stray model.nnl appeared"

finish

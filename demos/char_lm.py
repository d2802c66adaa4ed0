"""Beyond the post: a character-level language model, trained on Python's own documentation.

The text is the reference documentation every Python install carries
(``pydoc_data.topics``: 79 topics, 465 kB in Python 3.11, 103 distinct characters; it
differs a little between Python versions, and so do the numbers). The topics in order of
their names, the first 90% for training and the last 10% held out. The model reads a
character and gives probabilities for the next:

    Embedding(103, 32) -> LSTM(128, return_sequences) -> Dense(103, softmax)

with sparse_categorical_crossentropy (tinylstm differentiates the softmax with its
cross-entropy from the logits, docs/text-and-classification.md), trained on windows of
64 characters cut at a random offset each epoch, batches of 32, Adam 5e-3 with
clipnorm 1 (at Keras' 1e-3 and batch 64 the held-out loss after 5 epochs was 2.59
bits per character instead of 2.17, seed 0), 5 epochs. The LSTM runs on the numba
kernels; the whole demo takes about a minute of CPU.

Bits per character on the held-out text, -log2 p(next character) averaged over every
character, are read with a stateful copy of the model (8 contiguous streams, the state
carried from chunk to chunk), so every character has all the text before it in its
stream as context. The unigram baseline is the training text's character frequencies.
Claims of ours:

* the LSTM beats the unigram baseline by more than 1 bit per character; control: the
  same model on the held-out text with its characters shuffled (the frequencies kept,
  the order gone);
* 128 units reach below 2.5 bits per character in 5 epochs; control: the same model
  with 16 units, trained alike;
* at temperature 0.5 most words of a sample are words of the training text; control: a
  sample of characters drawn from the unigram frequencies.

The samples at temperatures 0.5 and 1.0 are in the JSON and below; figure: bits per
character per epoch.
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import re  # noqa: E402

import numpy as np  # noqa: E402
import pydoc_data.topics  # noqa: E402

from tinylstm import sampling  # noqa: E402
from tinylstm.layers import LSTM, Dense, Embedding, Input  # noqa: E402
from tinylstm.models import Sequential  # noqa: E402
from tinylstm.optimizers import Adam  # noqa: E402
from tinylstm.utils import set_random_seed  # noqa: E402

plt = common.plt

HELD_OUT = 0.1                       # the last 10% of the text
EMBEDDING, UNITS, SMALL_UNITS = 32, 128, 16
WINDOW, BATCH_SIZE = 64, 32
LEARNING_RATE, CLIPNORM = 5e-3, 1.0
EPOCHS, QUICK_EPOCHS = 5, 1
QUICK_CHARACTERS = 30000             # --quick trains on this much text only
STREAMS, CHUNK = 8, 500              # held-out text read as 8 streams, 500 steps per call
PRIMER, SAMPLE_LENGTH = "The ", 600
TEMPERATURES = (0.5, 1.0)
MARGIN_THRESHOLD = 1.0               # claim 14a: bits per character below the unigram's
BPC_THRESHOLD = 2.5                  # claim 14b
WORDS_THRESHOLD = 0.7                # claim 14c


def corpus():
    """The documentation text, its characters (sorted) and the text as ids."""
    topics = pydoc_data.topics.topics
    text = "\n".join(topics[name] for name in sorted(topics))
    chars = sorted(set(text))
    index = {c: k for k, c in enumerate(chars)}
    return text, chars, np.array([index[c] for c in text])


def build(vocabulary, units, batch_size=None, stateful=False):
    return Sequential([Input(batch_shape=(batch_size, None)), Embedding(vocabulary, EMBEDDING),
                       LSTM(units, return_sequences=True, stateful=stateful),
                       Dense(vocabulary, activation="softmax")])


def windows(ids, rng):
    """Non-overlapping (x, y) windows of WINDOW ids from a random offset; y is x one ahead."""
    offset = int(rng.integers(0, WINDOW))
    n = (len(ids) - offset - 1) // WINDOW
    x = ids[offset:offset + n * WINDOW].reshape(n, WINDOW)
    y = ids[offset + 1:offset + n * WINDOW + 1].reshape(n, WINDOW)
    return x, y


def streams(ids):
    """The held-out ids as STREAMS contiguous rows, and the next id for each: (S, L) twice."""
    length = (len(ids) - 1) // STREAMS
    return (ids[:STREAMS * length].reshape(STREAMS, length),
            ids[1:STREAMS * length + 1].reshape(STREAMS, length))


def bits_per_character(model, vocabulary, units, x, y):
    """Mean -log2 p(y | everything before it in its stream), read with a stateful copy."""
    reader = build(vocabulary, units, STREAMS, stateful=True)
    reader.set_weights(model.get_weights())
    total = 0.0
    for start in range(0, x.shape[1], CHUNK):
        p = reader.predict(x[:, start:start + CHUNK], batch_size=STREAMS, verbose=0)
        total -= np.log2(np.take_along_axis(p, y[:, start:start + CHUNK, None], axis=-1)).sum()
    return total / y.size


def train(vocabulary, units, ids, x_held, y_held, epochs, rng, progress):
    """Train a model; its held-out bits per character after every epoch."""
    model = build(vocabulary, units)
    model.compile(optimizer=Adam(LEARNING_RATE, clipnorm=CLIPNORM),
                  loss="sparse_categorical_crossentropy")
    curve, train_bits = [], []
    for _ in range(epochs):
        x, y = windows(ids, rng)
        loss = model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0,
                         callbacks=[progress]).history["loss"][0]
        train_bits.append(loss / np.log(2))
        curve.append(bits_per_character(model, vocabulary, units, x_held, y_held))
    return model, curve, train_bits


def word_fraction(sample, known):
    """The fraction of the sample's words (runs of two or more letters) that are known words."""
    words = re.findall(r"[A-Za-z]{2,}", sample)
    return sum(w in known for w in words) / max(len(words), 1), len(words)


def main():
    args = common.parse_args(__doc__, keras=False)
    report = common.Report(14, "Beyond the post: a character language model on Python's docs",
                           __doc__, args)
    set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    text, chars, ids = corpus()
    V = len(chars)
    split = int((1 - HELD_OUT) * len(ids))
    train_ids, held_ids = ids[:split], ids[split:]
    if args.quick:
        train_ids = train_ids[:QUICK_CHARACTERS]
    x_held, y_held = streams(held_ids)
    epochs = QUICK_EPOCHS if args.quick else EPOCHS

    counts = np.bincount(train_ids, minlength=V) + 1                          # add-one: every character possible
    unigram_p = counts / counts.sum()
    unigram = float(-np.log2(unigram_p[y_held]).mean())

    model, curve, train_bits = train(V, UNITS, train_ids, x_held, y_held, epochs, rng,
                                     report.progress(f"LSTM({UNITS})", epochs))
    small, small_curve, small_train_bits = train(V, SMALL_UNITS, train_ids, x_held, y_held, epochs,
                                                 rng, report.progress(f"LSTM({SMALL_UNITS})", epochs))
    bpc, small_bpc = curve[-1], small_curve[-1]
    x_shuffled, y_shuffled = streams(rng.permutation(held_ids))              # frequencies kept, order gone
    shuffled_bpc = bits_per_character(model, V, UNITS, x_shuffled, y_shuffled)
    shuffled_unigram = float(-np.log2(unigram_p[y_shuffled]).mean())

    step_model = build(V, UNITS, batch_size=1, stateful=True)
    step_model.set_weights(model.get_weights())
    primer = [chars.index(c) for c in PRIMER]
    samples = {str(t): PRIMER + "".join(chars[k] for k in sampling.generate(
        step_model, primer, SAMPLE_LENGTH, temperature=t, rng=rng)) for t in TEMPERATURES}
    unigram_sample = "".join(chars[k] for k in rng.choice(V, SAMPLE_LENGTH, p=unigram_p))
    known = set(re.findall(r"[A-Za-z]{2,}", text[:split]))
    fractions = {t: word_fraction(s, known) for t, s in samples.items()}

    report.check("14a", "the language model beats its unigram baseline by a clear margin",
                 "held-out bits per character more than 1 below the unigram model's.",
                 "unigram bits per character minus the LSTM's", unigram - bpc, ">",
                 MARGIN_THRESHOLD,
                 ("the same, on the held-out characters shuffled", shuffled_unigram - shuffled_bpc),
                 variant=True)
    report.check("14b", "a bigger model learns more from the same epochs",
                 f"{UNITS} units: held-out bits per character below {BPC_THRESHOLD} after "
                 f"{EPOCHS} epochs.", "held-out bits per character", bpc, "<", BPC_THRESHOLD,
                 (f"the same model with {SMALL_UNITS} units", small_bpc), variant=True)
    report.check("14c", "at temperature 0.5 the samples are mostly words",
                 "more than 70% of a 600-character sample's words (two letters or more) occur "
                 "in the training text.", "fraction of known words at temperature 0.5",
                 fractions["0.5"][0], ">", WORDS_THRESHOLD,
                 ("characters drawn from the unigram frequencies",
                  word_fraction(unigram_sample, known)[0]), variant=True)

    report.numbers.update({
        "characters": len(text), "vocabulary": V, "train_characters": int(len(train_ids)),
        "held_out_characters": int(y_held.size), "python_topics": len(pydoc_data.topics.topics),
        "unigram_bpc": unigram, "bpc": bpc, "small_bpc": small_bpc, "shuffled_bpc": shuffled_bpc,
        "bpc_by_epoch": curve, "small_bpc_by_epoch": small_curve,
        "train_bpc_by_epoch": train_bits, "small_train_bpc_by_epoch": small_train_bits,
        "samples": samples, "unigram_sample": unigram_sample,
        "known_word_fraction": {t: f for t, (f, _) in fractions.items()},
        "sample_words": {t: n for t, (_, n) in fractions.items()},
        "parameters": model.count_params(), "small_parameters": small.count_params(),
    })
    report.note(f"held-out: {bpc:.3f} bits per character ({UNITS} units, "
                f"{model.count_params():,} weights), {small_bpc:.3f} ({SMALL_UNITS} units), unigram "
                f"{unigram:.3f}; on the shuffled held-out text the model needs {shuffled_bpc:.3f}")
    for t in TEMPERATURES:
        report.note(f"sample at temperature {t} ({fractions[str(t)][0]:.0%} known words): "
                    + repr(samples[str(t)][:240]) + " ...")
    figure(report, curve, small_curve, train_bits, unigram, epochs)
    report.write()


def figure(report, curve, small_curve, train_bits, unigram, epochs):
    fig, ax = plt.subplots(figsize=(6, 3.6))
    x = np.arange(1, epochs + 1)
    ax.plot(x, curve, "o-", label=f"LSTM({UNITS}), held out")
    ax.plot(x, train_bits, "o--", color="C0", alpha=0.5, label=f"LSTM({UNITS}), training (mean of the epoch)")
    ax.plot(x, small_curve, "s-", color="C1", label=f"LSTM({SMALL_UNITS}), held out")
    ax.axhline(unigram, color="0.5", ls=":", label="unigram frequencies")
    ax.set_xlabel("epoch")
    ax.set_ylabel("bits per character")
    ax.set_xticks(x)
    ax.legend(fontsize=8)
    report.savefig(fig, "bits_per_character", "Bits per character on the held-out text after "
                   "each epoch, for the model and its smaller control, against the unigram "
                   "baseline.")


if __name__ == "__main__":
    main()

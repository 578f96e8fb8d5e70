"""Every sentence the doctor says, in English: the gettext msgids of the catalogs.

The English text is the msgid (the usual gettext practice), so English needs no catalog; the
Russian, Spanish and Italian translations live in ``locale/<lang>/LC_MESSAGES/fitscope.po``
(compiled to ``.mo``). Placeholders are ``str.format`` fields (``{epoch}``); their values are
formatted for the language before they are put in. A test checks that every catalog translates
every message here and keeps every placeholder.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MESSAGES", "WORDS", "Texts", "all_msgids"]


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it (gettext's convention)."""
    return text


class Texts(NamedTuple):
    title: str
    explanation: str
    advice: str


MESSAGES: dict[str, Texts] = {
    "overfitting": Texts(
        N_("Overfitting since epoch {epoch}"),
        N_(
            "The {split} loss was lowest at epoch {epoch} ({best}) and has risen to {last} "
            "since (+{rise_pct}), while the training loss kept falling from {train_then} to "
            "{train_now}. After epoch {epoch} the model learns the training data, not the task."
        ),
        N_(
            "Keep the weights of epoch {epoch} (early stopping with patience of a few epochs), "
            "add regularisation (l2, dropout, weight decay) or use more training data."
        ),
    ),
    "loss_accuracy_disagreement": Texts(
        N_("The {split} loss rises while the {split} accuracy does not fall"),
        N_(
            "From epoch {epoch} to the end the {split} loss went from {loss_then} to {loss_now} "
            "while the {split} accuracy went from {acc_then} to {acc_now}. Nothing is broken: "
            "the model still ranks most samples on the right side, but it grows more confident "
            "on the samples it gets wrong, and each of them costs more and more loss."
        ),
        N_(
            "Look at the samples with the largest loss (fitscope.explain lists them); stop "
            "near epoch {epoch}, add regularisation or calibrate the probabilities."
        ),
    ),
    "underfitting": Texts(
        N_("Underfitting: the loss stays near the no-skill level"),
        N_(
            "The {split} loss ended at {last} and never got more than {gain_pct} below the "
            "no-skill level {reference} ({reference_kind}); it has stopped improving. The model "
            "has not learned much more than the class frequencies."
        ),
        N_(
            "Use a more flexible model or better features, lower the regularisation, or check "
            "that the labels match the inputs."
        ),
    ),
    "underfitting.accuracy": Texts(
        N_("Underfitting: the loss stays near the no-skill level"),
        N_(
            "The {split} loss ended at {last} and never got more than {gain_pct} below the "
            "no-skill level {reference} ({reference_kind}); it has stopped improving, and the "
            "{split} accuracy {accuracy} is close to the chance level {chance}. The model has "
            "not learned much more than the class frequencies."
        ),
        N_(
            "Use a more flexible model or better features, lower the regularisation, or check "
            "that the labels match the inputs."
        ),
    ),
    "divergence": Texts(
        N_("Training diverged at epoch {epoch}"),
        N_("The {split} loss became {value} at epoch {epoch}; training cannot recover from it."),
        N_(
            "Use a smaller learning rate (for example a tenth of it), clip the gradients, and "
            "check the inputs for NaN or huge values."
        ),
    ),
    "divergence.explosion": Texts(
        N_("Training diverged at epoch {epoch}"),
        N_(
            "The {split} loss exploded to {value} at epoch {epoch}, {ratio} times its value "
            "at the first epoch ({first})."
        ),
        N_(
            "Use a smaller learning rate (for example a tenth of it), clip the gradients, and "
            "check the inputs for NaN or huge values."
        ),
    ),
    "unstable": Texts(
        N_("The {split} loss oscillates instead of settling"),
        N_(
            "Over the last {window} epochs the {split} loss jumped by {jitter} of its level "
            "from one epoch to the next, and it rose in {rises} of them by more than a tenth."
        ),
        N_(
            "Lower the learning rate or use a schedule that decays it, use larger batches, or "
            "use momentum / Adam instead of plain gradient descent."
        ),
    ),
    "not_converged": Texts(
        N_("Still improving at the last epoch"),
        N_(
            "The {split} loss fell by {drop} ({drop_pct}) over the last {window} epochs and "
            "was still falling at the end ({last}); training stopped before it settled."
        ),
        N_("Train for more epochs, or raise the learning rate a little."),
    ),
    "widespread_errors": Texts(
        N_("Large errors on much of the data"),
        N_(
            "Accuracy is {accuracy} and the log loss {loss} is no better than the {prior} of "
            "predicting the class frequencies: {wrong} of {n} samples are wrong, and the loss "
            "is spread over many of them."
        ),
        N_(
            "The model is wrong broadly, not on a few outliers: check the labels and features, "
            "train longer or use a more flexible model."
        ),
    ),
    "confident_mistakes": Texts(
        N_("A few confident mistakes carry most of the loss"),
        N_(
            "Accuracy is {accuracy}, yet the log loss is {loss}: {count} samples that the model "
            "gets wrong with high confidence (probability of the true class below {cutoff}) "
            "carry {share} of the total loss. The worst: {worst}."
        ),
        N_(
            "Inspect those samples: they are often mislabelled, duplicates with different "
            "labels, or outliers. Fix or drop them, or regularise so the model is less sure."
        ),
    ),
    "persistent_mistakes": Texts(
        N_("The same samples stay confidently wrong across epochs"),
        N_(
            "{count} {split} samples were confidently wrong in each of the last {snapshots} "
            "prediction snapshots (epochs {epochs}): {worst}."
        ),
        N_(
            "Training does not fix these samples: check their labels first; if they are right, "
            "they need features the model does not have."
        ),
    ),
    "class_imbalance": Texts(
        N_("Accuracy is at the majority-class baseline"),
        N_(
            "Accuracy is {accuracy}, and always predicting the most frequent class would score "
            "{baseline}. Balanced accuracy is {balanced}; predicting the class frequencies "
            "gives a log loss of {prior}. The accuracy says little about this model."
        ),
        N_(
            "Judge the model by balanced accuracy, F1 or ROC-AUC, weight the classes "
            "(class_weight='balanced') or resample, and look at the recall of the small classes."
        ),
    ),
    "miscalibration": Texts(
        N_("The probabilities are miscalibrated"),
        N_(
            "The expected calibration error is {ece}: when the model says {confidence}, it is "
            "right {observed} of the time on average (the model is {direction})."
        ),
        N_(
            "Calibrate the probabilities on held-out data (temperature or Platt scaling, "
            "isotonic regression) before using them as probabilities."
        ),
    ),
    # Issue 18: what a comparison of runs (fitscope compare) lets the doctor say.
    "comparison_on_test": Texts(
        N_("{count} comparisons on the test split"),
        N_(
            "{count} runs were compared on the test split. Every look at the test set that "
            "decides something (which run to keep, which setting to try next) spends it: the "
            "winner's test score is then an optimistic estimate, not an unbiased one."
        ),
        N_(
            "Compare runs and tune on the validation split (--split val); score only the one "
            "final model on the test split, once, at the end."
        ),
    ),
    "best_within_noise": Texts(
        N_("The best run is not better than {runner_up} beyond noise"),
        N_(
            "{best} has the best {metric} ({best_value}) of {count} runs, but its difference "
            "from {runner_up} ({difference}) lies inside the 95% interval [{ci_low}, {ci_high}] "
            "(p = {p_value}, {test}). Picking the best of many runs by a difference this small "
            "picks noise."
        ),
        N_(
            "Treat these runs as tied: prefer the simpler or cheaper one, or measure on more "
            "samples (a larger validation split, or cross-validation) before choosing."
        ),
    ),
}

# Words put into the sentences above.
WORDS: dict[str, str] = {
    "train": N_("training"),
    "val": N_("validation"),
    "test": N_("test"),
    "overconfident": N_("overconfident"),
    "underconfident": N_("underconfident"),
    "prior_log_loss": N_("the log loss of predicting the class frequencies"),
    "first_epoch": N_("the loss at the first epoch"),
}

# Labels the command line prints.
LABELS: dict[str, str] = {
    "severity.info": N_("info"),
    "severity.warning": N_("warning"),
    "severity.problem": N_("problem"),
    "advice": N_("What to try"),
    "healthy": N_("No problems found."),
    "evidence": N_("Evidence"),
    "verdict.b_better": N_("B better"),
    "verdict.a_better": N_("A better"),
    "verdict.within_noise": N_("within noise"),
    "verdict.unknown": N_("cannot judge"),
}


def all_msgids() -> list[str]:
    """Every message in the order the catalogs list them (duplicates once)."""
    out: list[str] = []
    for texts in MESSAGES.values():
        out.extend(texts)
    out.extend(WORDS.values())
    out.extend(LABELS.values())
    return list(dict.fromkeys(out))

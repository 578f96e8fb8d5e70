"""Every sentence the doctor says, in English: the gettext msgids of the catalogs.

The English text is the msgid (the usual gettext practice), so English needs no catalog; the
Russian, Spanish and Italian translations live in ``locale/<lang>/LC_MESSAGES/fitscope.po``
(compiled to ``.mo``). Placeholders are ``str.format`` fields (``{epoch}``); their values are
formatted for the language before they are put in. A test checks that every catalog translates
every message here and keeps every placeholder.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "MESSAGES",
    "NOTES",
    "STEP_MESSAGES",
    "STEP_PARAMS",
    "STEP_WORDS",
    "WITH_EPOCH",
    "WORDS",
    "Texts",
    "all_msgids",
]


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
    "unstable.spike": Texts(
        N_("The {split} loss spiked at epoch {epoch} and recovered"),
        N_(
            "At epoch {epoch} the {split} loss became {value} ({count} such epochs in all), "
            "then came back and ended at {last}. Training is unstable, but it did not diverge."
        ),
        N_(
            "Lower the learning rate or warm it up, clip the gradients, and check the batches "
            "of those epochs for NaN or huge inputs."
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
    "learning_rate_too_high": Texts(
        N_("The training loss rises again after epoch {epoch}"),
        N_(
            "The {split} loss reached {best} at epoch {epoch} and has risen to {last} since. A "
            "training loss that climbs back means the optimiser overshoots: its steps are too "
            "large for this part of the loss surface."
        ),
        N_(
            "Lower the learning rate (a third to a tenth of it) or decay it with a schedule; "
            "clip the gradients if single batches are to blame."
        ),
    ),
    "learning_rate_too_low": Texts(
        N_("The loss falls slowly and steadily: the learning rate looks too low"),
        N_(
            "The {split} loss went from {first} to {last} ({drop_pct} lower) along a nearly "
            "straight line: the last quarter of the run fell at {ratio} of the pace of the "
            "first. Training is far from converged and is not slowing down."
        ),
        N_(
            "Raise the learning rate (3 to 10 times larger) or train for many more epochs; a "
            "learning-rate range test finds a good value quickly."
        ),
    ),
    "plateau": Texts(
        N_("The training loss stood still from epoch {start} to {end}"),
        N_(
            "From epoch {start} to {end} the {split} loss stayed near {level}, then fell to "
            "{after}. The model was stuck for those epochs before it found its way down."
        ),
        N_(
            "A stall like this points to the initialisation or to a learning rate too low at "
            "that stage: try another initialisation, a short warm-up to a higher rate, or "
            "momentum / Adam."
        ),
    ),
    "val_better_than_train": Texts(
        N_("The {split} loss is below the training loss throughout"),
        N_(
            "In {share} of the epochs the {split} loss was below the training loss, by a median "
            "of {gap} (at the end {val} against {train}). Usually regularisation acts only "
            "during training (dropout, noise, augmentation) or the training loss is averaged "
            "over an epoch in which the model improved; otherwise the {split} data is easier "
            "than the training data, or leaks into it."
        ),
        N_(
            "With dropout or augmentation this is expected: compare with the training loss "
            "measured in evaluation mode. Otherwise check that the {split} samples are not "
            "copies of training samples and are drawn like them."
        ),
    ),
    "gap_from_start": Texts(
        N_("The {split} loss is far above the training loss from the first epoch"),
        N_(
            "Already in the first epochs the {split} loss ({val0}) was {gap_pct} above the "
            "training loss ({train0}), and the gap remains at the end ({val1} against "
            "{train1}). A gap that does not grow is not overfitting: the two splits look drawn "
            "differently."
        ),
        N_(
            "Check how the split was made: shuffle before splitting, stratify by class, apply "
            "the same preprocessing to both, and look for a shift in time or source between them."
        ),
    ),
    "gap_from_start.grows": Texts(
        N_("The {split} loss is far above the training loss from the first epoch"),
        N_(
            "Already in the first epochs the {split} loss ({val0}) was {gap_pct} above the "
            "training loss ({train0}), and the gap was still there at epoch {best_epoch}, the "
            "best of the {split} loss ({val1} against {train1}). Such a gap is not overfitting: "
            "the two splits look drawn differently. The gap grew after that epoch, which is "
            "overfitting on top of it."
        ),
        N_(
            "Check how the split was made: shuffle before splitting, stratify by class, apply "
            "the same preprocessing to both, and look for a shift in time or source between them."
        ),
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
        N_("{count} confident mistakes carry {share} of the loss"),
        N_(
            "Accuracy is {accuracy} and the log loss {loss}. {count} samples are predicted wrong "
            "with a confidence that is unusual for their class: they cost {flagged} each on "
            "average, against {rest} for the rest of the data, and carry {share} of the total "
            "loss. The worst: {worst}."
        ),
        N_(
            "Inspect those samples (the evidence lists every one, worst first): they are often "
            "mislabelled, duplicates with different labels, or outliers. Fix or drop them, or "
            "regularise so the model is less sure."
        ),
    ),
    "large_residuals": Texts(
        N_("{count} huge residuals carry {share} of the squared error"),
        N_(
            "The typical error is small (median absolute error {median}), yet the mean squared "
            "error is {mse}: {count} of {n} samples are off by far more than the rest and carry "
            "{share} of the squared error; without them it would be {mse_rest}. The worst "
            "(residual = prediction - target): {worst}."
        ),
        N_(
            "Inspect those samples (the evidence lists every one, worst first): wrong targets, "
            "unit or scale mix-ups and outliers are common. Fix or drop them, or use a robust "
            "loss (Huber, MAE) if they are genuine."
        ),
    ),
    "worse_than_mean": Texts(
        N_("No better than predicting the mean"),
        N_(
            "R² is {r2}: the mean squared error {mse} is no lower than the {baseline} of always "
            "predicting the mean of the targets. The model has learned nothing usable."
        ),
        N_(
            "Check that targets and inputs are aligned (same order, no shuffling of one), that "
            "the features carry information, and that the targets are on the scale the model "
            "expects; then train longer or use a more flexible model."
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
    "not_judged.curves": Texts(
        N_("The curves were not judged"),
        N_(
            "The run holds no loss curve of a training or held-out split that fitscope can "
            "read (its series: {keys}), and the curve checks judge loss curves. Splits are "
            "read from the names (train/loss, val_loss, Loss/val) or from split=."
        ),
        N_(
            "Log the training objective under a loss name (loss, val_loss, train/loss), or "
            "pass split= with the loss of each split."
        ),
    ),
    "not_judged.predictions": Texts(
        N_("The {split} predictions were not judged"),
        N_("They are neither class labels nor probabilities: {reason}"),
        N_(
            "Log labels with probabilities or logits: run.log_predictions(y_true, y_prob, "
            "split=...)."
        ),
    ),
}

# The same findings for a run whose steps are not epochs (a plain run.log loop, a Hugging Face
# trainer_state.json, TensorBoard's global steps): every message above that speaks of epochs,
# said in steps (docs/doctor.md, "Epochs or steps"). Where the step's epoch is known, the
# position reads "180 (epoch 9)" (WITH_EPOCH). Counts of epochs become spans of steps: a
# window of logged values is "from step {start} to step {end}", not "the last N steps".
_SAME_ADVICE_LR = MESSAGES["divergence"].advice
STEP_MESSAGES: dict[str, Texts] = {
    "overfitting": Texts(
        N_("Overfitting since step {step}"),
        N_(
            "The {split} loss was lowest at step {step} ({best}) and has risen to {last} "
            "since (+{rise_pct}), while the training loss kept falling from {train_then} to "
            "{train_now}. After step {step} the model learns the training data, not the task."
        ),
        N_(
            "Keep the checkpoint of step {step} (early stopping with a patience of a few "
            "evaluations), add regularisation (l2, dropout, weight decay) or use more training "
            "data."
        ),
    ),
    "loss_accuracy_disagreement": Texts(
        MESSAGES["loss_accuracy_disagreement"].title,
        N_(
            "From step {step} to the end the {split} loss went from {loss_then} to {loss_now} "
            "while the {split} accuracy went from {acc_then} to {acc_now}. Nothing is broken: "
            "the model still ranks most samples on the right side, but it grows more confident "
            "on the samples it gets wrong, and each of them costs more and more loss."
        ),
        N_(
            "Look at the samples with the largest loss (fitscope.explain lists them); stop "
            "near step {step}, add regularisation or calibrate the probabilities."
        ),
    ),
    "divergence": Texts(
        N_("Training diverged at step {step}"),
        N_("The {split} loss became {value} at step {step}; training cannot recover from it."),
        _SAME_ADVICE_LR,
    ),
    "divergence.explosion": Texts(
        N_("Training diverged at step {step}"),
        N_(
            "The {split} loss exploded to {value} at step {step}, {ratio} times its first "
            "logged value ({first})."
        ),
        _SAME_ADVICE_LR,
    ),
    "unstable": Texts(
        MESSAGES["unstable"].title,
        N_(
            "From step {start} to step {end} the {split} loss jumped by {jitter} of its level "
            "from one logged value to the next, and {rises} of those changes were rises of "
            "more than a tenth."
        ),
        MESSAGES["unstable"].advice,
    ),
    "unstable.spike": Texts(
        N_("The {split} loss spiked at step {step} and recovered"),
        N_(
            "At step {step} the {split} loss became {value} (such values in all: {count}), "
            "then came back and ended at {last}. Training is unstable, but it did not diverge."
        ),
        N_(
            "Lower the learning rate or warm it up, clip the gradients, and check the batches "
            "of those steps for NaN or huge inputs."
        ),
    ),
    "not_converged": Texts(
        N_("Still improving at the last step"),
        N_(
            "The {split} loss fell by {drop} ({drop_pct}) from step {start} to step {end} and "
            "was still falling at the end ({last}); training stopped before it settled."
        ),
        N_("Train for more steps, or raise the learning rate a little."),
    ),
    "learning_rate_too_high": Texts(
        N_("The training loss rises again after step {step}"),
        N_(
            "The {split} loss reached {best} at step {step} and has risen to {last} since. A "
            "training loss that climbs back means the optimiser overshoots: its steps are too "
            "large for this part of the loss surface."
        ),
        MESSAGES["learning_rate_too_high"].advice,
    ),
    "learning_rate_too_low": Texts(
        MESSAGES["learning_rate_too_low"].title,
        MESSAGES["learning_rate_too_low"].explanation,
        N_(
            "Raise the learning rate (3 to 10 times larger) or train for many more steps; a "
            "learning-rate range test finds a good value quickly."
        ),
    ),
    "plateau": Texts(
        N_("The training loss stood still from step {start} to {end}"),
        N_(
            "From step {start} to {end} the {split} loss stayed near {level}, then fell to "
            "{after}. The model was stuck for those steps before it found its way down."
        ),
        MESSAGES["plateau"].advice,
    ),
    "val_better_than_train": Texts(
        MESSAGES["val_better_than_train"].title,
        N_(
            "At {share} of the logged steps the {split} loss was below the training loss, by a "
            "median of {gap} (at the end {val} against {train}). Usually regularisation acts "
            "only during training (dropout, noise, augmentation) or the training loss is "
            "averaged over steps in which the model improved; otherwise the {split} data is "
            "easier than the training data, or leaks into it."
        ),
        MESSAGES["val_better_than_train"].advice,
    ),
    "gap_from_start": Texts(
        N_("The {split} loss is far above the training loss from the first step"),
        N_(
            "Already at the first logged steps the {split} loss ({val0}) was {gap_pct} above "
            "the training loss ({train0}), and the gap remains at the end ({val1} against "
            "{train1}). A gap that does not grow is not overfitting: the two splits look drawn "
            "differently."
        ),
        MESSAGES["gap_from_start"].advice,
    ),
    "gap_from_start.grows": Texts(
        N_("The {split} loss is far above the training loss from the first step"),
        N_(
            "Already at the first logged steps the {split} loss ({val0}) was {gap_pct} above "
            "the training loss ({train0}), and the gap was still there at step {best_step}, the "
            "best of the {split} loss ({val1} against {train1}). Such a gap is not overfitting: "
            "the two splits look drawn differently. The gap grew after that step, which is "
            "overfitting on top of it."
        ),
        MESSAGES["gap_from_start.grows"].advice,
    ),
    "persistent_mistakes": Texts(
        N_("The same samples stay confidently wrong across steps"),
        N_(
            "{count} {split} samples were confidently wrong in each of the last {snapshots} "
            "prediction snapshots (steps {steps}): {worst}."
        ),
        MESSAGES["persistent_mistakes"].advice,
    ),
}

#: Placeholders renamed in the step sentences (a step is {step}, not {epoch}).
STEP_PARAMS = {"epoch": "step", "best_epoch": "best_step", "epochs": "steps"}
#: Words (keys of WORDS) that name an epoch, and their step counterparts; also evidence labels.
STEP_WORDS = {"first_epoch": "first_step"}
#: A step whose epoch is known: "180 (epoch 9)".
WITH_EPOCH = N_("{step} (epoch {epoch})")

# Sentences appended to an explanation where they apply (Draft.notes).
NOTES: dict[str, str] = {
    "sampling_band": N_(
        "With {n} {split} samples, sampling noise alone moves these numbers by up to {band}; "
        "the change is larger."
    ),
    "sampling_unknown": N_(
        "The number of {split} samples is not known, so the change was judged against the "
        "curve's own wobble only (pass n= to diagnose to judge it against sampling noise)."
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
    "first_step": N_("the loss at the first logged step"),
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
    "more": N_("and {count} more"),
}


def all_msgids() -> list[str]:
    """Every message in the order the catalogs list them (duplicates once)."""
    out: list[str] = []
    for texts in MESSAGES.values():
        out.extend(texts)
    out.extend(NOTES.values())
    out.extend(WORDS.values())
    out.extend(LABELS.values())
    for texts in STEP_MESSAGES.values():
        out.extend(texts)
    out.append(WITH_EPOCH)
    return list(dict.fromkeys(out))

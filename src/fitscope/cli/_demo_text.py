"""Every sentence ``fitscope demo`` prints, in English: the gettext msgids of the catalogs.

Keyed by short names that the renderers use. The English text is the msgid, as for the
doctor's messages (:mod:`fitscope.doctor.messages`); the Russian, Spanish and Italian
translations live in the same catalogs (``fitscope/locale/<lang>/LC_MESSAGES/fitscope.mo``),
written in the source ``demo.po`` beside the doctor's ``fitscope.po`` (entries commented
``demo.<key>``). Placeholders are ``str.format`` fields; numbers are
formatted for the language by Babel before they are put in. A test checks that every catalog
translates every sentence here and keeps its placeholders.
"""

from __future__ import annotations

from fitscope._i18n import LANGUAGES, N_

__all__ = ["LANGUAGES", "TEXT", "all_msgids"]

TEXT: dict[str, str] = {
    "part1": N_("Part 1. Loss and accuracy on three people"),
    "intro": N_(
        "Guess a person's gender (label 1 or 0) from weight and height with a logistic "
        "model without intercept: p(y=1) = 1 / (1 + exp(-(b1 * weight + b2 * height))). The"
        " model predicts 1 when p >= 0.5."
    ),
    "at_params": N_("Predictions at b1 = {b1}, b2 = {b2}"),
    "person": N_("person"),
    "weight": N_("weight, kg"),
    "height": N_("height, cm"),
    "label": N_("label"),
    "probability": N_("p(y=1)"),
    "predicted": N_("predicted"),
    "loss": N_("log loss"),
    "summed_loss": N_("Summed log loss (the loss):"),
    "mean_loss": N_("Mean log loss:"),
    "accuracy_line": N_("Accuracy (share correct):"),
    "baseline_line": N_("Accuracy of always predicting {label}:"),
    "loss_defined": N_(
        "Each person's log loss is -log of the probability the model gives their true "
        "label; the loss is their sum (or mean). Accuracy is the share of people on the "
        "right side of 0.5."
    ),
    "training_title": N_("Three optimizers minimise the loss, starting from b1 = b2 = 0"),
    "solver": N_("optimizer"),
    "epoch": N_("epoch"),
    "summed_loss_col": N_("summed loss"),
    "accuracy": N_("accuracy"),
    "solver_gd": N_("gradient descent (step {lr})"),
    "solver_adam": N_("Adam (step {lr})"),
    "solver_newton": N_("Newton's method"),
    "flip_note": N_(
        "{solver}: at epoch {epoch} the accuracy went from {before} to {after} while the "
        "loss kept falling."
    ),
    "gd_slow": N_(
        "Gradient descent is slow here: weight and height are large and almost "
        "proportional, so the loss is a long narrow valley and only tiny steps are stable. "
        "Newton's method uses the curvature and needs {epochs} epochs."
    ),
    "optimum_title": N_("At the minimum of the loss"),
    "optimum_line": N_("Loss-optimal parameters: b1 = {b1}, b2 = {b2}, summed loss {loss}"),
    "optimum_accuracy": N_(
        "Accuracy there: {accuracy}. Always predicting 0 scores {baseline}, with no model at all."
    ),
    "lesson": N_(
        "Loss and accuracy measure different things. The loss asks how much probability the"
        " model gives the truth and changes smoothly with every parameter, so an optimizer "
        "can follow it downhill. Accuracy asks only which side of 0.5 each probability "
        "falls on. Lowering the loss made the probabilities better overall, yet two people "
        "sit just on the wrong side of 0.5."
    ),
    "surfaces_title": N_("The loss and the accuracy over (b1, b2)"),
    "loss_panel": N_("summed log loss (darker = lower)"),
    "accuracy_panel": N_("accuracy (flat steps)"),
    "surfaces_legend": N_(
        "o start (b1 = {b1}, b2 = {b2}), * loss minimum. Loss shades: {levels}. Accuracy: "
        "'{low_char}' = {low}, '{high_char}' = {high}."
    ),
    "surfaces_lesson": N_(
        "The loss is a smooth bowl: at every point its slope says which way is down. "
        "Accuracy is flat almost everywhere and jumps at the lines where a person's "
        "prediction flips: its gradient is zero, so gradient descent cannot optimise it."
    ),
    "png_written": N_("Picture of both surfaces: {path}"),
    "png_skipped_quick": N_("(--quick: the PNG of the surfaces is written by the full demo.)"),
    "png_missing": N_('(The PNG of the surfaces needs matplotlib: pip install "fitscope[plot]".)'),
    "part2": N_("Part 2. A real run that overfits"),
    "run_intro": N_(
        "Handwritten digits (8x8 pixels), task: is the digit even? The data are split into "
        "{n_train} training images (fitted), {n_val} validation images (watched each epoch,"
        " used to stop) and {n_test} test images (scored once, at the end). The model, a "
        "logistic regression on the {n_features} raw pixels trained by Adam with almost no "
        "penalty, has enough parameters to memorise its few training images."
    ),
    "run_stored": N_("Every epoch was recorded in run {run} ({name}) in {store}."),
    "train_loss": N_("train loss"),
    "train_accuracy": N_("train accuracy"),
    "val_loss": N_("val loss"),
    "val_accuracy": N_("val accuracy"),
    "best_marker": N_("best"),
    "overfit_summary": N_(
        "From epoch {best} on, the training loss kept falling ({train_best} -> "
        "{train_last}) while the validation loss rose ({val_best} -> {val_last}): the model"
        " learns the training images, not digits. That is overfitting."
    ),
    "early_stop": N_(
        "Early stopping waited {patience} epochs for the validation loss to improve, "
        "stopped at epoch {last} and restored the weights of epoch {best}."
    ),
    "no_early_stop": N_(
        "Training ran all {last} epochs; the best validation loss was at epoch {best}."
    ),
    "test_line": N_(
        "Test set, scored once with the weights of epoch {best}: accuracy {accuracy}, log "
        "loss {loss}."
    ),
    "test_why": N_(
        "The test images played no part in training or in stopping, so this is an honest "
        "estimate; looking at it repeatedly to choose settings would make it one more "
        "validation set."
    ),
    "part3": N_("Part 3. When a high accuracy hides a problem"),
    "case": N_("case"),
    "positives": N_("positives"),
    "baseline_col": N_("majority baseline"),
    "balanced_accuracy": N_("balanced accuracy"),
    "prior_loss": N_("prior log loss"),
    "worst_share": N_("loss share of worst 1%"),
    "case_imbalanced": N_("is it a 9? (ink only)"),
    "case_clean": N_("3 or 8? clean labels"),
    "case_confident_mistakes": N_("3 or 8? {n} labels wrong"),
    "imbalanced_lesson": N_(
        "Imbalance: only {positives} of the digits are 9s. A model that sees only the "
        "amount of ink scores {accuracy}, exactly what always answering 'not a 9' scores; "
        "its balanced accuracy is {balanced} and its log loss ({loss}) is no better than "
        "the prior log loss ({prior}) of predicting the class frequencies. It learned "
        "nothing."
    ),
    "confident_lesson": N_(
        "Confident mistakes: on clean labels the model scores {clean_accuracy} with log "
        "loss {clean_loss}. With {n} of {total} labels wrong the accuracy barely moves "
        "({accuracy}), but the log loss grows to {loss}, and the worst 1% of the samples "
        "({n_worst}) carry {share} of it: a confident wrong answer costs far more than an "
        "unsure one. A large loss behind a high accuracy points at a few confident "
        "mistakes, often wrong labels."
    ),
    "three_cases": N_(
        "Three pictures: low accuracy with a huge loss (confidently wrong), high accuracy "
        "with a huge loss (a few confident mistakes), high accuracy with a low loss (right "
        "and suitably sure). Compare accuracy with its baseline and the loss with the prior"
        " loss before trusting either."
    ),
    "findings_title": N_("The doctor's findings: {subject}"),
    "subject_run": N_("the run of part 2"),
    "part4": N_("Part 4. Report and dashboard"),
    "report_written": N_("HTML report of the run: {path}"),
    "report_missing": N_(
        "This installation has no HTML report yet; the run is in the store and can be read "
        "with fitscope.Store({store!r}).get_run({run!r})."
    ),
    "doctor_hint": N_("Ask the doctor about the run: fitscope doctor {run} --store {store}"),
    "runs_hint": N_("List the recorded runs: fitscope runs list --store {store}"),
    "dashboard_hint": N_("Open the dashboard: fitscope ui --store {store}"),
    "dashboard_missing": N_("This installation has no dashboard (fitscope ui) yet."),
    "opening_ui": N_("Opening the dashboard..."),
    "done": N_("Done in {seconds} s."),
}


def all_msgids() -> list[str]:
    """Every sentence of the demo, in the order the catalogs list them (duplicates once)."""
    return list(dict.fromkeys(TEXT.values()))

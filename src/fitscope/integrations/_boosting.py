"""What the XGBoost and LightGBM callbacks share: eval-set names to splits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fitscope._validation import describe
from fitscope.errors import InvalidTypeError
from fitscope.integrations.naming import split_of

#: Eval-set names the libraries give the training data.
TRAIN_NAMES = ("train", "training", "dtrain")


def check_splits(splits: Mapping[str, str] | None) -> dict[str, str]:
    if splits is None:
        return {}
    if not isinstance(splits, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in splits.items()
    ):
        raise InvalidTypeError(
            "splits must be a dict of eval-set name to split name, e.g. "
            f'{{"validation_0": "train", "validation_1": "val"}}. Got {describe(splits)} '
            "instead."
        )
    return dict(splits)


def split_for(data_name: str, all_names: Sequence[str], splits: Mapping[str, str]) -> str:
    """The split of one eval set.

    ``splits`` wins; then the training set's names ("train", "training", "dtrain") give
    "train", and a name that is a split word ("valid", "val", "eval", "test") its split; an
    automatic name ("validation_0", "valid_0") gives "val" when it is the only evaluation set
    besides the training set, else it is kept as the split's name.

    >>> split_for("validation_0", ["validation_0"], {})
    'val'
    >>> split_for("validation_1", ["validation_0", "validation_1"], {})
    'validation_1'
    >>> names = ["training", "valid_0"]
    >>> split_for("training", names, {}), split_for("valid_0", names, {})
    ('train', 'val')
    """
    if data_name in splits:
        return splits[data_name]
    if data_name.lower() in TRAIN_NAMES:
        return "train"
    word = split_of(data_name)
    if word is not None:
        return word
    others = [n for n in all_names if n not in splits and n.lower() not in TRAIN_NAMES]
    if others == [data_name]:
        return "val"
    return data_name

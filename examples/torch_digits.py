"""Train a small MLP on scikit-learn's digits with PyTorch and track it with fitscope.

Loss and accuracy are computed per epoch over the whole train and validation sets (exact,
not a mean of batch means) and logged to the splits "train" and "val"; the validation
predictions of the last epoch are stored for ``fitscope doctor``.

    python examples/torch_digits.py --epochs 20 --store runs.db

Needs ``pip install "fitscope[torch]" scikit-learn``.
"""

from __future__ import annotations

import argparse

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import fitscope
from fitscope.integrations.torch import evaluate_model


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--store", default=None, help="store path or URL (default: ./.fitscope)")
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    x, y = load_digits(return_X_y=True)
    x_tr, x_val, y_tr, y_val = train_test_split(x / 16.0, y, test_size=0.25, random_state=0)
    to_t = lambda a, dtype: torch.tensor(a, dtype=dtype)  # noqa: E731
    train = torch.utils.data.TensorDataset(to_t(x_tr, torch.float32), to_t(y_tr, torch.long))
    val = torch.utils.data.TensorDataset(to_t(x_val, torch.float32), to_t(y_val, torch.long))
    loader = torch.utils.data.DataLoader(train, batch_size=args.batch_size, shuffle=True)
    eval_train = torch.utils.data.DataLoader(train, batch_size=512)
    eval_val = torch.utils.data.DataLoader(val, batch_size=512)

    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    config = {"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size}
    # One step per epoch: the tag tells the doctor to say "epoch" (a per-batch loop would not).
    tags = ["steps=epochs"]
    with fitscope.init(project="digits", config=config, tags=tags, store=args.store) as run:
        for epoch in range(args.epochs):
            model.train()
            for inputs, targets in loader:
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(inputs), targets)
                loss.backward()
                optimizer.step()
            run.log(evaluate_model(model, eval_train), step=epoch, split="train")
            run.log(evaluate_model(model, eval_val), step=epoch, split="val")
        with torch.no_grad():
            probs = torch.softmax(model(val.tensors[0]), dim=1)
        run.log_predictions(val.tensors[1], probs, split="val")  # tensors, as they are
        summary = run.summary
    print(f"run {run.id}: val accuracy {summary['val/accuracy']['final']:.3f}")
    return run.id


if __name__ == "__main__":
    main()

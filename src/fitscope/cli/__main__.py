"""``python -m fitscope.cli``: the ``fitscope`` command (handy with ``python -X importtime``)."""

from fitscope.cli import main

main()

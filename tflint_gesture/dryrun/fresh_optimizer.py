"""A copy of the script's optimizer for another run of its model (worker side: imports Keras when called).

Both the learning-rate comparison (TFG601) and the channels_last rebuild (layout.py) compile the
script's model again with an optimizer of the same kind and settings, never the used instance.
"""

from __future__ import annotations


def fresh_optimizer(optimizer, learning_rate):
    """A new optimizer of the script's kind and settings (optionally another learning rate)."""
    import keras

    config = optimizer.get_config()
    if learning_rate is not None:
        config["learning_rate"] = float(learning_rate)
    else:
        lr = config.get("learning_rate")
        if isinstance(lr, dict):  # a schedule: keep it
            config["learning_rate"] = keras.optimizers.schedules.deserialize(lr)
    try:
        return type(optimizer).from_config(config)
    except Exception:  # noqa: BLE001
        return None

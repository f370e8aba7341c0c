"""Branches that transform the same data differently (issue 20): after an `if` the analysis can run
neither way, what every branch agrees on survives (a pixel range, an encoding, the axes of equal size)
and the rest is unknown; different data in each branch is unknown altogether."""

from __future__ import annotations

from helpers import assert_silent, codes, facts_of

from tflint_gesture.facts.frames import join
from tflint_gesture.facts.values import UNKNOWN, Data, LabelEncoding, ValueRange

# keras_mnist_cnn.py's layout switch, as the Keras 2 examples wrote it.
CHANNELS = """\
import keras
from keras import backend as K
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
if K.image_data_format() == "channels_first":
    x_train = x_train.reshape(x_train.shape[0], 1, 28, 28)
    input_shape = (1, 28, 28)
else:
    x_train = x_train.reshape(x_train.shape[0], 28, 28, 1)
    input_shape = (28, 28, 1)
x_train = x_train.astype("float32")
{scaling}
y_train = keras.utils.to_categorical(y_train, 10)
model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(10, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=12, validation_split=0.1)
"""


def test_raw_pixels_survive_a_layout_branch():
    facts = facts_of(CHANNELS.format(scaling=""))
    (fit,) = facts.fits()
    assert isinstance(fit.x, Data) and fit.x.vrange == ValueRange.RAW_PIXELS
    assert len(fit.x.shape) == 4 and fit.x.shape[1:] == (None, 28, None)  # the axes both branches agree on
    assert "TFG401" in codes(CHANNELS.format(scaling=""))
    assert_silent(CHANNELS.format(scaling="x_train /= 255"), "TFG4", sees="fit")


def test_what_the_branches_disagree_on_is_unknown():
    raw = Data(vrange=ValueRange.RAW_PIXELS, shape=(None, 28, 28), encoding=LabelEncoding.UNKNOWN)
    scaled = raw.derive(vrange=ValueRange.UNIT, shape=(None, 784))
    joined = join([raw, scaled])
    assert joined.vrange == ValueRange.UNKNOWN and joined.shape is None and joined.root == raw.root
    assert join([raw, Data(vrange=ValueRange.RAW_PIXELS)]) is UNKNOWN  # other data: nothing in common
    ids = Data(encoding=LabelEncoding.CLASS_IDS, num_classes=5)
    assert join([ids, ids.derive(encoding=LabelEncoding.ONE_HOT)]).num_classes is None
    assert join([ids, ids.derive(shape=(None,))]).num_classes == 5

"""The same frozen MobileNetV2 with the scaling its weights expect inside the model."""
from tensorflow import keras

train_ds = keras.utils.image_dataset_from_directory("signs/train", image_size=(96, 96), batch_size=32)
val_ds = keras.utils.image_dataset_from_directory("signs/val", image_size=(96, 96), batch_size=32)

base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights="imagenet")
base.trainable = False
model = keras.Sequential([
    keras.Input(shape=(96, 96, 3)),
    keras.layers.Rescaling(1.0 / 127.5, offset=-1.0),
    base,
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(5, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=3)

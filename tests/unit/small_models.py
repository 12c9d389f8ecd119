"""Small models with the course CNN's layer names, for fast tests."""

import keras
from keras import layers


def small_cnn(input_shape=(28, 28, 1), seed=0):
    """The course CNN's layer names and layout, with fewer filters so the tests stay fast."""
    keras.utils.set_random_seed(seed)
    x = keras.Input(shape=input_shape, name="image")
    y = layers.Conv2D(4, 3, padding="same", name="conv1")(x)
    y = layers.ReLU(name="relu1")(y)
    y = layers.MaxPooling2D(2, name="pool1")(y)
    y = layers.Conv2D(6, 3, padding="same", name="conv2")(y)
    y = layers.ReLU(name="relu2")(y)
    y = layers.MaxPooling2D(2, name="pool2")(y)
    y = layers.Flatten(name="flatten")(y)
    y = layers.Dense(10, activation="softmax", name="probabilities")(y)
    return keras.Model(x, y, name="small_cnn")

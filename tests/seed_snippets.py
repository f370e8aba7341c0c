"""The four seed snippets of the project brief (../shared/seeds/), as published: the bugs the tool must
catch. Copied here unchanged (undefined names included: they are blog excerpts), so no test depends on
files outside the repository; tests/test_seed_snippets.py, the dry-run cases and the custom-loop rule
tests read them from this one place."""

SEED_000_EXAMPLE_1 = """\
import tensorflow as tf
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential

# Generate dummy data - too small!
X_train = tf.random.normal((100, 10)) # 100 samples
y_train = tf.random.uniform((100, 5), minval=0, maxval=5, dtype=tf.int32)

model = Sequential([
    Dense(units=64, activation='relu', input_shape=(10,)),
    Dense(units=32, activation='relu'),
    Dense(units=5, activation='softmax')
])

model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(X_train, y_train, epochs=100, verbose=1) # This will likely overfit
"""

SEED_000_EXAMPLE_3 = """\
import tensorflow as tf
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential

# Generate dummy data: assuming regression, but using classification loss
X_train = tf.random.normal((100, 5))
y_train = tf.random.normal((100, 1))  # Regression targets

model = Sequential([
    Dense(units=32, activation='relu', input_shape=(5,)),
    Dense(units=1) # Output node should use a linear activation
])

model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['mse'])
model.fit(X_train, y_train, epochs=100, verbose=1) # Incorrect Loss function
"""

SEED_001_PYTORCH = """\
import torch
import torch.nn as nn
import torch.optim as optim
from torchvision import datasets, transforms

model = nn.Linear(128, 128)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.001)
"""

SEED_002_EXAMPLE_1 = """\
import tensorflow as tf
import numpy as np
from sklearn.preprocessing import StandardScaler

# Assume 'data' is your NumPy array of features
scaler = StandardScaler()
data_scaled = scaler.fit_transform(data)

# Reshape to match TensorFlow's expected input shape if necessary
data_scaled = data_scaled.reshape(-1, num_features, 1)  

# Example usage in a TensorFlow model
model = tf.keras.Sequential([
    tf.keras.layers.Dense(128, activation='relu', input_shape=(num_features,)),
    tf.keras.layers.Dense(1, activation='sigmoid') # Example: Binary Classification
])

model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
model.fit(data_scaled, labels, epochs=10) # 'labels' is your target variable
"""

SEED_003_EXAMPLE_3 = """\
import tensorflow as tf

accumulation_steps = 4 # accumulate gradients over 4 steps
optimizer = tf.keras.optimizers.Adam(learning_rate=0.001)

for epoch in range(epochs):
  for batch_idx in range(len(train_dataset)):
    gradients = None
    for i in range(accumulation_steps):
      with tf.GradientTape() as tape:
        loss = model(X_batch)
      gradients = tape.gradient(loss, model.trainable_variables)
      
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
"""

# Source: https://github.com/keras-team/keras-io/blob/13dcc614a61bd9f95fcb19f1f451934226ef0db0/examples/structured_data/collaborative_filtering_movielens.py (copied verbatim below this line; license: Apache-2.0)
"""
Title: Collaborative Filtering for Movie Recommendations
Author: [Siddhartha Banerjee](https://twitter.com/sidd2006)
Date created: 2020/05/24
Last modified: 2020/05/24
Description: Recommending movies using embedding-based model on Movielens dataset.
"""
"""
## Introduction

This example looks at
[Collaborative filtering](https://en.wikipedia.org/wiki/Collaborative_filtering)
using [Movielens dataset](https://www.kaggle.com/c/movielens-100k)
to recommend movies to users.
The MovieLens ratings dataset includes users and movies with the corresponding ratings.
The goal is to be able to predict ratings for movies an user has not yet watched.
Thereafter, the movies with higher predicted ratings will be recommended to the user.

The steps in the model are as follows:

1. Feed user identifier and movie identifier to the model.
2. Use an embedding matrix to obtain the corresponding user and movie embeddings.
3. Obtain a dot product of the embeddings, the get a score and add bias.
4. Use a sigmoid activation to scale the ratings between 0-1 scale.
5. Convert the scaled output to a number between minimum and maximum rating.

**References:**

- [Collaborative Filtering](https://dl.acm.org/doi/pdf/10.1145/371920.372071)
- [Neural Collaborative Filtering](https://dl.acm.org/doi/pdf/10.1145/3038912.3052569)
"""

import pandas as pd
import numpy as np
from zipfile import ZipFile
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from pathlib import Path
import matplotlib.pyplot as plt

"""
## First, load the data and apply some pre-processing
"""

# Download the actual data from http://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
# use the ratings.csv file
movielens_data_file_url = (
    "http://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
)
movielens_zipped_file = keras.utils.get_file(
    "ml-latest-small.zip", movielens_data_file_url, extract=False
)
keras_datasets_path = Path(movielens_zipped_file).parents[0]
movielens_dir = keras_datasets_path / "ml-latest-small"

# Run the following piece only if it is the first time.
# Otherwise, data should already be there.
# In case the MovieLens 100k data has changed over time,
# then please delete the folder in datasets manually and rerun.
if not movielens_dir.exists():
    with ZipFile(movielens_zipped_file, "r") as zip:
        # extracting all the files
        print("Extracting all the files now...")
        zip.extractall(path=keras_datasets_path)
        print("Done!")

ratings_file = movielens_dir / "ratings.csv"
df = pd.read_csv(ratings_file)

"""
First, need to perform some preprocessing to encode users and movies to specific indices.
This is done as the movieids and userids are non-sequential in nature.
"""
user_ids = df["userId"].unique().tolist()
user2user_encoded = {x: i for i, x in enumerate(user_ids)}
userencoded2user = {i: x for i, x in enumerate(user_ids)}
movie_ids = df["movieId"].unique().tolist()
movie2movie_encoded = {x: i for i, x in enumerate(movie_ids)}
movie_encoded2movie = {i: x for i, x in enumerate(movie_ids)}
df["user"] = df["userId"].map(user2user_encoded)
df["movie"] = df["movieId"].map(movie2movie_encoded)

num_users = len(user2user_encoded)
num_movies = len(movie_encoded2movie)
df["rating"] = df["rating"].values.astype(np.float32)
min_rating = min(df["rating"])
max_rating = max(df["rating"])
print(
    "Number of users: {}, Number of Movies: {}, Min rating: {}, Max rating: {}".format(
        num_users, num_movies, min_rating, max_rating
    )
)

"""
## Prepare training and validation data
"""
df = df.sample(frac=1, random_state=42)
x = df[["user", "movie"]].values
# Normalize the targets between 0 and 1. Makes it easy to train.
y = df["rating"].apply(lambda x: (x - min_rating) / (max_rating - min_rating)).values
# Assuming training on 90% of the data and validating on 10%.
train_indices = int(0.9 * df.shape[0])
x_train, x_test, y_train, y_test = (
    x[:train_indices],
    x[train_indices:],
    y[:train_indices],
    y[train_indices:],
)

"""
## Create the model

Let's fix some parameters in the architecture. We will use user embeddings and movie
embeddings, let's keep the dimensions as 50 for both.
The model computes a score using dot product of user and movie embeddings.
Thereafter, it uses a sigmoid activation on the sum over all the scores (including biases).
Finally, the score is converted into the rating ranges based on this dataset.
"""
EMBEDDING_SIZE = 50


class RecommenderNet(keras.Model):
    def __init__(
        self, num_users, num_movies, embedding_size, min_rating, max_rating, **kwargs
    ):
        super(RecommenderNet, self).__init__(**kwargs)
        self.num_users = num_users
        self.num_movies = num_movies
        self.embedding_size = embedding_size
        self.min_rating = min_rating
        self.max_rating = max_rating
        self.user_embedding = layers.Embedding(
            num_users,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.user_bias = layers.Embedding(num_users, 1)
        self.movie_embedding = layers.Embedding(
            num_movies,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.movie_bias = layers.Embedding(num_movies, 1)

    def call(self, inputs):
        user_vector = self.user_embedding(inputs[:, 0])
        user_bias = self.user_bias(inputs[:, 0])
        movie_vector = self.movie_embedding(inputs[:, 1])
        movie_bias = self.movie_bias(inputs[:, 1])
        dot_user_movie = layers.Dot(axes=1)([user_vector, movie_vector])
        # Add all the components (including bias)
        x = dot_user_movie + user_bias + movie_bias
        # The sigmoid activation forces the rating to between 0 and 1
        x = tf.nn.sigmoid(x)
        return x


inputs = layers.Input(shape=(2,))
model = RecommenderNet(num_users, num_movies, EMBEDDING_SIZE, min_rating, max_rating)
outputs = model(inputs)
opt = keras.optimizers.Adam(lr=0.001)
model.compile(loss=tf.keras.losses.BinaryCrossentropy(), optimizer=opt)

"""
## Train the model based on the data split
"""
history = model.fit(
    x=x_train,
    y=y_train,
    batch_size=128,
    epochs=5,
    verbose=1,
    validation_data=(x_test, y_test),
)

"""
## Plot training and test loss
"""
plt.plot(history.history["loss"])
plt.plot(history.history["val_loss"])
plt.title("model loss")
plt.ylabel("loss")
plt.xlabel("epoch")
plt.legend(["train", "test"], loc="upper left")
plt.show()

"""
## Show top 10 movie recommendations to an user
"""

movie_df = pd.read_csv(movielens_dir / "movies.csv")

# Let us get an user and see the top recommendations.
user_id = df.userId.sample(1).iloc[0]
movies_watched_by_user = df[df.userId == user_id].movieId.values
movies_not_watched = movie_df[~movie_df["movieId"].isin(movies_watched_by_user)][
    "movieId"
]
movies_not_watched = list(
    set(movies_not_watched).intersection(set(movie2movie_encoded.keys()))
)
movies_not_watched = [[movie2movie_encoded.get(x)] for x in movies_not_watched]
user_encoder = user2user_encoded.get(user_id)
user_movie_array = np.hstack(
    ([[user_id]] * len(movies_not_watched), movies_not_watched)
)
ratings = model.predict(user_movie_array).flatten()
top_ratings_indices = ratings.argsort()[-10:][::-1]
recommended_movie_ids = [movie_encoded2movie.get(x) for x in top_ratings_indices]

print("Here are the top 10 movie recommendations for user: {}".format(user_id))
print("*****" * 10)
print("\n".join(movie_df[movie_df["movieId"].isin(recommended_movie_ids)].title.values))

"""
## Conclusions

As can be seen from the final results, we can recommend new movies to an user.
More improvements are possible, by adding checkpointing to store
the best performing model.

This is how online video streaming companies provide you recommendations.
"""

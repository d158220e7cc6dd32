/**
 * The tutorial's seed model (15 Conv2D + 17 Activation + 2 MaxPooling2D + 4 Dropout +
 * GlobalMaxPooling2D + 2 Dense, 1,071,542 params), built with tfjs-layers directly.
 */
export function seedModel(tf, tfl) {
  const m = tfl.sequential();
  const conv = (filters, inputShape) => {
    m.add(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...(inputShape ? { inputShape } : {}) }));
    m.add(tfl.layers.activation({ activation: 'relu' }));
  };
  conv(32, [32, 32, 3]);
  conv(32);
  conv(32);
  conv(48);
  conv(48);
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.25 }));
  for (let i = 0; i < 5; i++) conv(80);
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.25 }));
  for (let i = 0; i < 5; i++) conv(128);
  m.add(tfl.layers.globalMaxPooling2d({}));
  m.add(tfl.layers.dropout({ rate: 0.25 }));
  m.add(tfl.layers.dense({ units: 500 }));
  m.add(tfl.layers.activation({ activation: 'relu' }));
  m.add(tfl.layers.dropout({ rate: 0.25 }));
  m.add(tfl.layers.dense({ units: 10 }));
  m.add(tfl.layers.activation({ activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
  return m;
}

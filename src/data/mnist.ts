import type { VariableIR } from "../ir/types.js";
import type { RemoteDataFile } from "./download.js";
import type { Dataset } from "./types.js";

/**
 * Static binarized MNIST (Larochelle & Murray, 2011). The checksums are of the
 * uncompressed .amat files the URLs serve; the package ships them gzipped.
 */
export const BINARIZED_MNIST_FILES: Record<"train" | "valid" | "test", RemoteDataFile> = {
  train: binarizedMnistFile(
    "train",
    "ad693b29f94c14277b095f5238ddefbbdaaae0939789dd2f4f0205278cee3e4d",
  ),
  valid: binarizedMnistFile(
    "valid",
    "1de3d397c40fe8eeb33dafd4099a1f665ec01e96d9be234aaeeac8a34930e2e2",
  ),
  test: binarizedMnistFile("test", "e6687bfea3f820c174f33b7865140b2a2dd2930ef786f35d45795fc193b5ab2c"),
};

function binarizedMnistFile(split: string, sha256: string): RemoteDataFile {
  const name = `binarized_mnist_${split}.amat`;
  return {
    folder: "binarized-mnist",
    bundled: `${name}.gz`,
    cached: name,
    url: `http://www.cs.toronto.edu/~larocheh/public/datasets/binarized_mnist/${name}`,
    sha256,
  };
}

/** The official MNIST test set (10,000 images and labels); checksums of the .gz files. */
export const MNIST_TEST_FILES: Record<"images" | "labels", RemoteDataFile> = {
  images: mnistFile(
    "t10k-images-idx3-ubyte.gz",
    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
  ),
  labels: mnistFile(
    "t10k-labels-idx1-ubyte.gz",
    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
  ),
};

function mnistFile(name: string, sha256: string): RemoteDataFile {
  return {
    folder: "mnist",
    bundled: name,
    cached: name,
    url: `https://ossci-datasets.s3.amazonaws.com/mnist/${name}`,
    sha256,
  };
}

/** The MNIST test set is split in order: the first 8,000 images train, the last 2,000 test. */
export const MNIST_TRAIN_ROWS = 8_000;

export const MNIST_IMAGE_VARIABLE: VariableIR = { name: "x", kind: "unit", shape: [784] };
export const MNIST_LABEL_VARIABLE: VariableIR = {
  name: "y",
  kind: "categorical",
  shape: [],
  categories: 10,
};

/** Rows [from, to) of a dataset as a new dataset (the values are copied). */
export function sliceRows(data: Dataset, from: number, to: number, source: string): Dataset {
  return {
    source,
    rows: to - from,
    dim: data.dim,
    values: data.values.slice(from * data.dim, to * data.dim),
  };
}

/**
 * 28×28 images to 8×8: zero-pad two pixels on every side to 32×32, then average each
 * 4×4 block. Values stay in [0, 1] when the input is.
 */
export function downsampleTo8x8(images: Dataset, source = images.source): Dataset {
  if (images.dim !== 784) throw new Error(`downsampleTo8x8: expected 784 values per row, got ${images.dim}`);
  const out = new Float32Array(images.rows * 64);
  const src = images.values;
  for (let r = 0; r < images.rows; r++) {
    const base = r * 784;
    for (let by = 0; by < 8; by++) {
      for (let bx = 0; bx < 8; bx++) {
        let sum = 0;
        for (let dy = 0; dy < 4; dy++) {
          const y = by * 4 + dy - 2;
          if (y < 0 || y >= 28) continue;
          for (let dx = 0; dx < 4; dx++) {
            const x = bx * 4 + dx - 2;
            if (x < 0 || x >= 28) continue;
            sum += src[base + y * 28 + x];
          }
        }
        out[r * 64 + by * 8 + bx] = sum / 16;
      }
    }
  }
  return { source, rows: images.rows, dim: 64, values: out };
}

/**
 * Serialization: safetensors read/write (bytes, tensors, files), narrow-float conversions, a tfjs file-system
 * `IOHandler` compatible with tfjs-node's `file://` format, and model weights as safetensors.
 *
 * @module
 */
export { ModelFileError, SafetensorsError } from './errors.js';
export {
  fileSystemHandler,
  loadLayersModel,
  MODEL_JSON_FILENAME,
  saveLayersModel,
  WEIGHTS_BINARY_FILENAME,
} from './file-system-handler.js';
export {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './float-formats.js';
export {
  type LoadModelSafetensorsOptions,
  loadModelSafetensors,
  modelWeightsToSafetensors,
  type SaveModelSafetensorsOptions,
  saveModelSafetensors,
  setModelWeightsFromSafetensors,
  WEIGHT_ORDER_METADATA_KEY,
} from './model-safetensors.js';
export {
  type ReadSafetensorsOptions,
  readSafetensors,
  readSafetensorsToTensors,
  type SafetensorsContents,
  type SafetensorsData,
  type SafetensorsTensor,
  type SafetensorsTensorInput,
  type SafetensorsWritableDtype,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors.js';
export { loadSafetensorsFile, saveSafetensorsFile } from './safetensors-file.js';
export {
  type ParseSafetensorsHeaderOptions,
  parseSafetensorsHeader,
  SAFETENSORS_DTYPE_SIZE,
  SAFETENSORS_DTYPES,
  SAFETENSORS_MAX_HEADER_LENGTH,
  type SafetensorsDtype,
  type SafetensorsHeader,
  type SafetensorsHeaderEntry,
} from './safetensors-format.js';

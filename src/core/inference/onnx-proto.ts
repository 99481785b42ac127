// The ONNX file format: the subset of onnx.proto an exported model uses, encoded and decoded with protobufjs.
//
// Why protobufjs and a subset written here: protobufjs (BSD-3, protobufjs/protobuf.js) is the protobuf library the
// npm ecosystem maintains (8.x, releases through 2026); `onnx-proto`, the ready-made ONNX binding, was last
// published in 2024 and pins protobufjs 6. The messages below are parsed from text at load time, so there is no
// generated code and no build step; every name and field number is copied from onnx/onnx's onnx/onnx.proto
// (proto2; the numbers are frozen there, and ONNX readers ignore fields they do not know, so a subset is a valid
// model). Fields the exporter never writes (sparse tensors, training info, external data, ...) are left out.

import protobuf from 'protobufjs';

const ONNX_SUBSET = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; FLOATS = 6; INTS = 7; }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; INT64 = 7; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute?: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Fixed-width little-endian values, as onnx.proto requires of raw_data. */
  rawData: Uint8Array;
}

/** A dimension: a size, or a name for one chosen at run time (the batch). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dims: OnnxDim[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: { name: string; node: OnnxNode[]; initializer: OnnxTensor[]; input: OnnxValueInfo[]; output: OnnxValueInfo[] };
  metadata: Record<string, string>;
}

let modelType: protobuf.Type | undefined;

function ModelProto(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

function valueInfo(v: OnnxValueInfo) {
  const dim = v.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name: v.name, doc_string: v.docString, type: { tensor_type: { elem_type: v.elemType, shape: { dim } } } };
}

/** The model as the bytes of a .onnx file. */
export function encodeOnnx(model: OnnxModel): Uint8Array {
  const type = ModelProto();
  const message = {
    ir_version: model.irVersion,
    opset_import: [{ domain: '', version: model.opsetVersion }],
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    doc_string: model.docString,
    graph: {
      name: model.graph.name,
      node: model.graph.node.map((n) => ({ name: n.name, op_type: n.opType, input: n.input, output: n.output, attribute: n.attribute ?? [] })),
      initializer: model.graph.initializer.map((t) => ({ name: t.name, dims: t.dims, data_type: t.dataType, raw_data: t.rawData })),
      input: model.graph.input.map(valueInfo),
      output: model.graph.output.map(valueInfo),
    },
    metadata_props: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
  };
  const invalid = type.verify(message);
  if (invalid) throw new Error(`ONNX model does not fit onnx.proto: ${invalid}`);
  return type.encode(type.fromObject(message)).finish();
}

/** A .onnx file as plain objects: snake_case fields as in onnx.proto, int64 as numbers, bytes as Uint8Array. */
export function decodeOnnx(bytes: Uint8Array): Record<string, unknown> {
  const type = ModelProto();
  return type.toObject(type.decode(bytes), { longs: Number }) as Record<string, unknown>;
}

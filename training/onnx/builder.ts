/**
 * A small ONNX graph builder on top of the hand-written schema subset: enough for the
 * embedding-bag classifier (opset 17, IR version 8). Output bytes are deterministic.
 */
import { AttributeType, DataType, modelType, type DataTypeCode } from './schema';

export const OPSET = 17;
export const IR_VERSION = 8;

type Dim = number | string;
type TensorData = Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | Uint16Array;
type AttrValue = number | number[] | string | { floats: number[] } | { float: number };

interface TensorMsg {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function littleEndianBytes(data: TensorData): Uint8Array {
  // Node and every platform onnxruntime ships for are little-endian; copy to own the bytes.
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(view);
}

function valueInfo(name: string, elemType: DataTypeCode, dims: Dim[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttrValue) {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly inits: TensorMsg[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(private readonly graphName: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph: duplicate value name '${name}'`);
    this.names.add(name);
    return name;
  }

  input(name: string, elemType: DataTypeCode, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), elemType, dims));
    return name;
  }

  output(name: string, elemType: DataTypeCode, dims: Dim[]): void {
    if (!this.names.has(name)) throw new Error(`ONNX graph: output '${name}' is not produced by any node`);
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  initializer(name: string, dataType: DataTypeCode, dims: number[], data: TensorData): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.inits.push({ name: this.claim(name), dims, data_type: dataType, raw_data: littleEndianBytes(data) });
    return name;
  }

  int64s(name: string, values: number[]): string {
    return this.initializer(name, DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  /** Adds a node; returns its first output name. */
  node(opType: string, inputs: string[], outputs?: string[] | string, attrs: Record<string, AttrValue> = {}): string {
    for (const i of inputs) if (i !== '' && !this.names.has(i)) throw new Error(`ONNX graph: ${opType} reads unknown '${i}'`);
    const outs = outputs === undefined ? [`${opType.toLowerCase()}_${this.counter}`] : typeof outputs === 'string' ? [outputs] : outputs;
    for (const o of outs) this.claim(o);
    this.nodes.push({
      name: `${opType}_${this.counter++}`,
      op_type: opType,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs[0];
  }

  /** Serialises a ModelProto. */
  encode(meta: { producer: string; version: string; doc: string; metadata?: Record<string, string> }): Uint8Array {
    const Model = modelType();
    const message = {
      ir_version: IR_VERSION,
      producer_name: meta.producer,
      producer_version: meta.version,
      doc_string: meta.doc,
      opset_import: [{ domain: '', version: OPSET }],
      metadata_props: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      },
    };
    const err = Model.verify(message);
    if (err) throw new Error(`ONNX ModelProto: ${err}`);
    return Model.encode(Model.fromObject(message)).finish();
  }
}

export { DataType };

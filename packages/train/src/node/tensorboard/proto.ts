/**
 * The TensorBoard event-file messages this package writes, hand-written as a protobuf
 * descriptor and used through @bufbuild/protobuf's reflection API (no generated code).
 * Field numbers and types are those of tensorflow/core/util/event.proto and
 * tensorflow/core/framework/summary.proto (the subset tfbricks writes):
 *
 *   message Event { double wall_time = 1; int64 step = 2;
 *                   oneof what { string file_version = 3; Summary summary = 5; } }
 *   message Summary { repeated Value value = 1;
 *     message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
 *     message Value { string node_name = 7; string tag = 1;
 *                     oneof value { float simple_value = 2; Image image = 4; HistogramProto histo = 5; } } }
 *   message HistogramProto { double min = 1; double max = 2; double num = 3; double sum = 4;
 *     double sum_squares = 5; repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
 */
import { create, createFileRegistry, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';

interface FieldDef {
  name: string;
  number: number;
  type: Type;
  repeated?: boolean;
  typeName?: string;
  oneof?: number;
}

interface MessageInit {
  name: string;
  field: { name: string; number: number; type: Type; label: Label; typeName?: string; oneofIndex?: number; jsonName: string }[];
  oneofDecl: { name: string }[];
  nestedType: MessageInit[];
}

function message(name: string, fields: FieldDef[], extra: { oneofs?: string[]; nested?: MessageInit[] } = {}): MessageInit {
  return {
    name,
    field: fields.map((f) => ({
      name: f.name,
      number: f.number,
      type: f.type,
      label: f.repeated ? Label.REPEATED : Label.OPTIONAL,
      typeName: f.typeName,
      oneofIndex: f.oneof,
      jsonName: f.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
    })),
    oneofDecl: (extra.oneofs ?? []).map((n) => ({ name: n })),
    nestedType: extra.nested ?? [],
  };
}

const file = create(FileDescriptorProtoSchema, {
  name: 'tfbricks/tensorboard_subset.proto',
  package: 'tensorboard',
  syntax: 'proto3',
  messageType: [
    message('HistogramProto', [
      { name: 'min', number: 1, type: Type.DOUBLE },
      { name: 'max', number: 2, type: Type.DOUBLE },
      { name: 'num', number: 3, type: Type.DOUBLE },
      { name: 'sum', number: 4, type: Type.DOUBLE },
      { name: 'sum_squares', number: 5, type: Type.DOUBLE },
      { name: 'bucket_limit', number: 6, type: Type.DOUBLE, repeated: true },
      { name: 'bucket', number: 7, type: Type.DOUBLE, repeated: true },
    ]),
    message('Summary', [{ name: 'value', number: 1, type: Type.MESSAGE, repeated: true, typeName: '.tensorboard.Summary.Value' }], {
      nested: [
        message('Image', [
          { name: 'height', number: 1, type: Type.INT32 },
          { name: 'width', number: 2, type: Type.INT32 },
          { name: 'colorspace', number: 3, type: Type.INT32 },
          { name: 'encoded_image_string', number: 4, type: Type.BYTES },
        ]),
        message(
          'Value',
          [
            { name: 'node_name', number: 7, type: Type.STRING },
            { name: 'tag', number: 1, type: Type.STRING },
            { name: 'simple_value', number: 2, type: Type.FLOAT, oneof: 0 },
            { name: 'image', number: 4, type: Type.MESSAGE, typeName: '.tensorboard.Summary.Image', oneof: 0 },
            { name: 'histo', number: 5, type: Type.MESSAGE, typeName: '.tensorboard.HistogramProto', oneof: 0 },
          ],
          { oneofs: ['value'] },
        ),
      ],
    }),
    message(
      'Event',
      [
        { name: 'wall_time', number: 1, type: Type.DOUBLE },
        { name: 'step', number: 2, type: Type.INT64 },
        { name: 'file_version', number: 3, type: Type.STRING, oneof: 0 },
        { name: 'summary', number: 5, type: Type.MESSAGE, typeName: '.tensorboard.Summary', oneof: 0 },
      ],
      { oneofs: ['what'] },
    ),
  ],
});

const registry = createFileRegistry(file, () => undefined);

function get(name: string): DescMessage {
  const desc = registry.getMessage(name);
  if (!desc) throw new Error(`tensorboard proto: missing message ${name}`);
  return desc;
}

export const EventDesc = get('tensorboard.Event');
export const SummaryDesc = get('tensorboard.Summary');
export const HistogramDesc = get('tensorboard.HistogramProto');

/** Plain shapes of the messages (what `encodeEvent` takes and `decodeEvent` returns). */
export interface HistogramData {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

export interface ImageData {
  height: number;
  width: number;
  /** 1 grayscale, 3 RGB, 4 RGBA. */
  colorspace: number;
  encodedImageString: Uint8Array;
}

export type SummaryValue =
  | { tag: string; simpleValue: number }
  | { tag: string; image: ImageData }
  | { tag: string; histo: HistogramData };

export interface EventData {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: SummaryValue[];
}

function valueInit(v: SummaryValue) {
  if ('simpleValue' in v) return { tag: v.tag, value: { case: 'simpleValue', value: v.simpleValue } };
  if ('image' in v) return { tag: v.tag, value: { case: 'image', value: v.image } };
  return { tag: v.tag, value: { case: 'histo', value: v.histo } };
}

/** Serialise an Event. */
export function encodeEvent(event: EventData): Uint8Array {
  const what = event.fileVersion !== undefined
    ? { case: 'fileVersion', value: event.fileVersion }
    : { case: 'summary', value: { value: (event.summary ?? []).map(valueInit) } };
  // The reflection API takes plain init objects for a DescMessage.
  const msg = create(EventDesc, { wallTime: event.wallTime, step: BigInt(event.step), what } as never);
  return toBinary(EventDesc, msg);
}

/** Parse an Event back into the plain shape (for tests and tools). */
export function decodeEvent(bytes: Uint8Array): EventData {
  const msg = fromBinary(EventDesc, bytes) as unknown as {
    wallTime: number;
    step: bigint;
    what: { case: 'fileVersion'; value: string } | { case: 'summary'; value: { value: { tag: string; value: { case: string; value: unknown } }[] } } | { case: undefined };
  };
  const out: EventData = { wallTime: msg.wallTime, step: Number(msg.step) };
  if (msg.what.case === 'fileVersion') out.fileVersion = msg.what.value;
  if (msg.what.case === 'summary') {
    out.summary = msg.what.value.value.map((v) => {
      if (v.value.case === 'simpleValue') return { tag: v.tag, simpleValue: v.value.value as number };
      if (v.value.case === 'image') {
        const i = v.value.value as ImageData;
        return { tag: v.tag, image: { height: i.height, width: i.width, colorspace: i.colorspace, encodedImageString: i.encodedImageString } };
      }
      const h = v.value.value as HistogramData;
      return {
        tag: v.tag,
        histo: { min: h.min, max: h.max, num: h.num, sum: h.sum, sumSquares: h.sumSquares, bucketLimit: [...h.bucketLimit], bucket: [...h.bucket] },
      };
    });
  }
  return out;
}

export * from './tensorboard-callback';
export * from './event-writer';
export * from './histogram';
export { encodeEvent, decodeEvent, type EventData, type SummaryValue, type HistogramData, type ImageData } from './proto';
export { encodeRecord, decodeRecords, maskedCrc32c } from './tfrecord';

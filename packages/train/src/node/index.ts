export * from './checkpoint-io';
export * from './callbacks/csv-logger';
export * from './callbacks/model-checkpoint';
export * from './callbacks/backup-and-restore';
export * from './tensorboard/index';
export * from './charts/index';

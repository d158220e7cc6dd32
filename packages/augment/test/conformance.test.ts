import { describeAugmentationConformance } from '@tfbricks/core/testing';
import {
  ImageDataGenerator,
  compose,
  randomBrightness,
  randomChannelShift,
  randomCropWithPadding,
  randomFlip,
  randomRotation,
  randomShear,
  randomTranslation,
  randomZoom,
} from '../src';
import { backendPlugins } from './helpers';

const backends = backendPlugins;

describeAugmentationConformance(() => randomFlip({ horizontal: true, vertical: true }), { backends });
describeAugmentationConformance(() => randomTranslation({ heightShiftRange: 0.2, widthShiftRange: 0.2 }), { backends });
describeAugmentationConformance(() => randomTranslation({ heightShiftRange: 3, widthShiftRange: [1, 2], fillMode: 'wrap', interpolationOrder: 0 }), { backends });
describeAugmentationConformance(() => randomRotation({ rotationRange: 30, fillMode: 'constant', cval: 0.5 }), { backends });
describeAugmentationConformance(() => randomZoom({ zoomRange: 0.3, fillMode: 'reflect' }), { backends });
describeAugmentationConformance(() => randomShear({ shearRange: 20, fillMode: 'wrap' }), { backends });
describeAugmentationConformance(() => randomChannelShift({ channelShiftRange: 0.2 }), { backends });
describeAugmentationConformance(() => randomBrightness({ brightnessRange: [0.5, 1.5] }), { backends });
describeAugmentationConformance(() => randomBrightness({ brightnessRange: [0.5, 1.5], mode: 'multiply' }), { backends });
describeAugmentationConformance(() => randomCropWithPadding({ padding: 4 }), { backends });
describeAugmentationConformance(() => randomCropWithPadding({ padding: 3, paddingMode: 'reflect' }), { backends });
describeAugmentationConformance(() => compose(randomCropWithPadding({ padding: 2 }), randomFlip()), { backends });
// The seed tutorial's generator, as a core Augmentation.
describeAugmentationConformance(
  () => new ImageDataGenerator({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true }),
  { backends },
);
describeAugmentationConformance(
  () => new ImageDataGenerator({ shearRange: 10, zoomRange: 0.2, channelShiftRange: 0.1, verticalFlip: true, rescale: 0.5, samplewiseCenter: true, samplewiseStdNormalization: true }),
  { backends },
);

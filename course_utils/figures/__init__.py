"""Every figure of the series; each function returns the matplotlib ``Figure`` it drew, titled and labelled."""
from .augmentation import plot_collapse, plot_sharpness
from .curves import plot_learning_curves
from .evaluation import plot_accuracy_comparison, plot_class_balance, plot_confusion_matrix, plot_per_class_accuracy
from .grids import plot_convolution_example, plot_dropout_passes, plot_max_pool_example, plot_number_grid, plot_one_hot
from .images import plot_images, plot_misclassified, plot_sample_grid, plot_shifted_images
from .layers import (plot_feature_maps, plot_filter_responses, plot_layer_sizes, plot_pooling_shift_change,
                     plot_shift_sensitivity)
from .pixels import plot_neighbour_pixels, plot_pixel_histograms


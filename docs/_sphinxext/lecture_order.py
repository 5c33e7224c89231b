"""Gallery order: the lecture's order within each section, not the alphabet."""

LECTURE_ORDER = [
    # Denoising
    "plot_dct_vs_convolution.py",
    "plot_dct_1d_step.py",
    "plot_tiles_vs_sliding.py",
    "plot_checkerboard_shift.py",
    "plot_aggregation_weights.py",
    "plot_threshold_sweep.py",
    # Noise
    "plot_noise_estimation.py",
    # Sparse coding
    "plot_sparse_codes.py",
    "plot_strips_and_chunks.py",
    # Inpainting, anomalies, classification
    "plot_inpainting.py",
    "plot_anomaly_detection.py",
    "plot_src_classification.py",
    # Convolutional sparse coding
    "plot_conv_filters.py",
    "plot_global_vs_aggregation.py",
    "plot_conv_anomaly.py",
    # Domain shift
    "plot_heartbeat_adaptation.py",
]


class LectureOrder:
    """sphinx-gallery ``within_subsection_order``: position in :data:`LECTURE_ORDER`."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in LECTURE_ORDER:
            return f"{LECTURE_ORDER.index(filename):03d}"
        return f"999{filename}"  # a script not listed yet goes last, alphabetically

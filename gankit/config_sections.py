"""The config's sections, one dataclass each: every key with its default and, beside it, what it does.

gankit.config gathers them into `Config`; `python -m gankit.config_reference` writes
docs/configuration.md from these comments and gankit.config_rules' allowed values and bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DataConfig:
    name: str = "fashion_mnist"     # gaussian1d | ring8 | grid25 | fashion_mnist | mnist | idx | digits | cifar10 | cifar100 | folder | attributes | footwear | tops (multi-domain) | edges2fashion | paired_folder (pairs) | sandal2sneaker | shirt2tshirt | edges_unpaired | unpaired_folder (unpaired) | oracle | text | wordnet (token sequences) | fashion_sr | sr_folder (super-resolution) | moving_fashion | fork (frame sequences)
    path: str | None = None         # file or folder (fashion_mnist defaults to Debian's dataset-fashion-mnist)
    split: str = "train"            # train | test
    resolution: int | None = None   # resize images to this square size at load time
    channels: int | None = None     # 1 or 3: convert grey <-> RGB
    limit: int | None = None        # keep only the first N examples
    per_class: int | None = None    # labelled images: keep K examples of each class, drawn with data.seed (few-shot)
    seed: int = 0                   # seeds data.per_class's draw
    mean: float = 4.0               # gaussian1d: mean of the data
    std: float = 0.5                # gaussian1d: standard deviation of the data
    radius: float = 2.0             # ring8: radius of the ring
    mode_std: float = 0.02          # ring8 / grid25: standard deviation of each mode
    direction: str = "AtoB"         # paired data: AtoB (A is the input) | BtoA (swap the sides)
    jitter: bool = False            # paired / unpaired data: pix2pix's random resize to 1.1x, crop back and flip, per batch
    attributes: list[str] = field(default_factory=list)  # attributes: the columns used as labels (empty: all)
    attributes_file: str | None = None  # attributes: the attribute list, relative to data.path (default list_attr_celeba.txt)
    tokenizer: str = "word"         # text / wordnet: word (punctuation apart) | char
    lowercase: bool = True          # text / wordnet: lower-case the sentences first
    vocab_size: int = 5000          # text / wordnet: <pad>, <unk> and the most frequent tokens (rarer ones become <unk>)
    max_length: int = 20            # text / wordnet: longer sentences are dropped; every sequence is this long
    scale: int = 4                  # fashion_sr / sr_folder: the super-resolution factor (low-resolution inputs are 1/scale of the high-resolution images' side)
    frames_in: int = 10             # moving_fashion / fork: past frames a prediction reads
    frames_out: int = 10            # moving_fashion / fork: future frames it predicts
    objects: int = 2                # moving_fashion: garments moving in each sequence


@dataclass
class ModelConfig:
    name: str = "dcgan"             # mlp | maxout | dcgan | stylegan2 | cgan2014 (conditional only): both networks (the shorthand)
    generator: str | None = None    # the generator's builder when it differs from `name`
    discriminator: str | None = None  # the discriminator's builder when it differs from `name`
    z_dim: int = 100                # latent size
    z_dist: str = "normal"          # normal | uniform (uniform on [-1, 1])
    g_hidden: list[int] = field(default_factory=lambda: [256, 256])  # mlp / maxout G hidden sizes
    d_hidden: list[int] = field(default_factory=lambda: [256, 256])  # mlp / maxout D hidden sizes
    maxout_pieces: int = 5          # maxout: linear pieces per unit
    width: int = 64                 # dcgan: channels next to the image, doubling per downsampling
    g_width: int = 0                # dcgan: G's width when it differs from D's (0: width)
    d_width: int = 0                # dcgan: D's width when it differs from G's (0: width)
    d_norm: str = "batch"           # dcgan D normalisation: batch | layer | none
    g_norm: str = "none"            # mlp / maxout G normalisation of the hidden layers: none | batch
    spectral_norm: bool = False     # spectral normalisation on every D layer
    dropout: float = 0.0            # D dropout on hidden layers
    g_dropout: float = 0.0          # cgan2014: G dropout on hidden layers (off when sampling)
    input_dropout: float = 0.0      # D dropout on its input
    g_out: str = "tanh"             # G output: tanh | sigmoid (rescaled to [-1, 1]) | none
    init: str = "default"           # default (each family's own) | goodfellow2014 (the 2014 reference code, mlp / maxout / cgan2014) | pacgan2018 (the PacGAN reference code: weights N(0, 0.02), biases 0; mlp / maxout)
    g_blocks: int = 6               # resnet / stargan G: residual blocks
    d_layers: int = 3               # patchgan D: stride-2 layers (1, 2, 3: 16, 34, 70 px patches; 0: one pixel)
    embed_dim: int = 32             # lstm G: token embedding size
    hidden_dim: int = 32            # lstm G: LSTM units
    d_embed_dim: int = 64           # textcnn D: token embedding size
    d_filters: float = 100.0        # textcnn D: its filters per width, in % of SeqGAN's (100 to 200 a width)
    mapping_layers: int = 8         # stylegan2: fully connected layers of the mapping network z -> w
    mapping_lr: float = 0.01        # stylegan2: the mapping network's learning-rate multiplier
    init_from: str | None = None    # a run folder whose networks (those of the same name and shapes) start this run, e.g. a PSNR-oriented super-resolution run for the GAN
    style_mixing: float = 0.9       # stylegan2: share of G's images whose styles switch to a second w at a random layer (style-mixing regularisation)
    mbstd_group: int = 4            # stylegan2 D: images per minibatch standard deviation group (the paper's 4; stylegan2-ada's CIFAR-10 setting 32), at most the per-process batch


@dataclass
class LossConfig:
    name: str = "nonsaturating"     # minimax | nonsaturating | wasserstein | hinge | lsgan | fgan
    divergence: str = "js"          # fgan: the f-divergence D_f(data || model): kl | reverse_kl | pearson | hellinger | js | gan
    fgan_g: str = "nonsaturating"   # fgan: G maximises E[g_f(D(G(z)))] (nonsaturating, the f-GAN paper's heuristic) or minimises -E[f*(g_f(D(G(z))))] (saturating, the bound itself)
    penalty: str = "none"           # none | clip | gp | r1
    clip: float = 0.01              # clip: D weights are clamped to [-clip, clip] after each D step
    gp_weight: float = 10.0         # gp: lambda of the gradient penalty
    r1_gamma: float = 10.0          # r1: gamma of the R1 penalty (gamma / 2 * ||grad D(x)||^2)
    r1_every: int = 1               # r1: lazy regularisation, the penalty (times this) on every this-many-th step only (StyleGAN2: 16)
    pl_weight: float = 0.0          # stylegan2: path-length regularisation's weight (0: off; the paper's 2)
    pl_every: int = 4               # stylegan2: its lazy interval, a G update of its own on every this-many-th step
    bcr_weight: float = 0.0         # gan / conditional on images: bCR (Zhao et al. 2020), lambda of D's consistency ||D(x) - D(T(x))||^2 on real and on fake images, T a flip and a shift (0: off; the paper's 10)


@dataclass
class OptimConfig:
    name: str = "adam"              # adam | rmsprop | sgd
    lr: float = 2e-4                # learning rate
    betas: list[float] = field(default_factory=lambda: [0.5, 0.999])  # adam betas
    momentum: float = 0.0           # sgd / rmsprop momentum
    weight_decay: float = 0.0       # L2 weight decay
    lr_decay: float = 1.0           # lr is divided by this after every G step (the 2014 code: 1.000004)
    min_lr: float = 0.0             # lr_decay stops here
    final_momentum: float | None = None  # sgd / rmsprop: momentum rises linearly to this over momentum_ramp
    momentum_ramp: list[int] = field(default_factory=lambda: [0, 0])  # [first, last] G step of that rise
    linear_decay: list[int] | None = None  # [start, end] G steps: lr constant until start, then linearly to 0 at end (pix2pix, CycleGAN)
    lr_from: list[float] | None = None  # [step, lr]: the rate from that step on (a family's next phase, e.g. RelGAN's 1e-4 after MLE)


@dataclass
class TrainConfig:
    steps: int = 2000               # generator steps (each preceded by n_critic D steps)
    batch_size: int = 64            # examples per D or G step
    n_critic: int = 1               # k: D steps per G step (Algorithm 1 of Goodfellow et al. 2014)
    reuse_fakes: bool = False       # G's update reuses the last D step's fakes (one G forward fewer, as the PyTorch DCGAN example) instead of fresh noise
    seed: int = 0                   # seeds the models, the data order and the noise
    ema: float = 0.0                # decay of an exponential moving average of G (0 disables)
    log_every: int = 50             # steps between lines of stats.jsonl
    sample_every: int = 250         # steps between sample pictures of the fixed noise
    checkpoint_every: int = 500     # steps between checkpoints
    keep_checkpoints: int = 3       # newest checkpoints kept (0 keeps all)
    n_samples: int = 64             # size of the fixed noise batch for pictures
    eval_every: int = 0             # steps between metric evaluations during training (0: never)
    eval_metric: str = "auto"       # logged and used to keep the best checkpoint: auto (fid for images, w1 for 1-D, modes_reached for 2-D), kid, is, precision, recall, density, coverage, kl, js, high_quality_share; conditional: intra_fid, gan_test
    eval_n: int = 2000              # generated samples per evaluation during training
    tensorboard: bool = False       # also write TensorBoard event files
    progress: bool = True           # show a progress bar
    minutes: float | None = None    # stop after this much training time (a checkpoint is written; --resume continues)
    device: str = "auto"            # auto (cuda, then mps, then cpu) | cpu | cuda | cuda:N | mps
    precision: str = "fp32"         # fp32 | bf16 | fp16 (autocast; fp16 with a gradient scaler) | auto (bf16 on a CPU with bf16 in hardware, else fp32)
    channels_last: bool = False     # NHWC memory layout for convolutional networks (a GPU speed option)
    compile: bool = False           # speed the step up: one CUDA graph of the whole step on a GPU, else torch.compile (needs a C++ compiler on the CPU)
    compile_mode: str = "auto"      # auto (cudagraph where the step allows one, else default) | cudagraph | default | max-autotune-no-cudagraphs (torch.compile's own CUDA-graph modes fail on a step that calls a network twice)
    deterministic: bool = False     # deterministic GPU kernels, so a resumed CUDA run is bit-exact
    sync_bn: bool = False           # under torchrun: BatchNorm statistics over the global batch (else each process's own)
    dist_timeout: float = 600.0     # under torchrun: seconds a process waits for the others before the run stops
    augment: str = "none"           # what D sees, real and fake, is augmented on the device: none | diffaug (DiffAugment, Zhao et al. 2020) | ada (stylegan2-ada's transforms with an adaptive probability p)
    augment_policy: str = "color,translation,cutout"  # diffaug: its transforms, a comma list of color, translation, cutout
    ada_target: float = 0.6         # ada: p rises while r_t = E[sign(D(real))] is above this, falls below it
    ada_kimg: float = 100.0         # ada: thousands of real images for p to go from 0 to 1 (the paper's 500, scaled to runs of a few hundred thousand images)

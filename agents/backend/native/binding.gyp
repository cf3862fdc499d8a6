{
  "variables": {
    "fast_cpu_dnnl%": "<!(node -p \"process.env.FAST_CPU_DNNL === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "fast_cpu",
      "sources": [
        "bindings.cc",
        "args.cc",
        "threads.cc",
        "conv.cc",
        "conv_im2col.cc",
        "conv_block.cc",
        "onednn.cc",
        "matmul.cc",
        "elementwise.cc",
        "adam.cc",
        "replay_gather.cc",
        "cpu_features.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-march=native", "-fno-math-errno", "-ffp-contract=off"],
      "libraries": ["-lopenblas", "-lpthread"],
      "conditions": [
        ["fast_cpu_dnnl==1", {
          "defines": ["FAST_CPU_DNNL"],
          "libraries": ["-ldnnl", "-lgomp"]
        }]
      ]
    }
  ]
}

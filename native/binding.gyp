# The native kernel set: a Node-API addon on oneDNN (Debian: libdnnl-dev). Built by scripts/build-native.js at
# `npm install`; when it cannot build, the app trains on the wasm kernels and says why (Settings, `backends`).
# The rpath lets a packaged app carry libdnnl.so.2 beside the addon (electron-builder.config.js); otherwise the
# system's copy loads.
{
  "targets": [
    {
      "target_name": "digit_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/loops.cc", "src/peak.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp"],
      "ldflags": ["-fopenmp", "-Wl,-rpath,'$$ORIGIN'"],
      "libraries": ["-ldnnl"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"] },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "OpenMP": "true" } }
    }
  ]
}

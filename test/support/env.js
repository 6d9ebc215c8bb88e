// Must hold before onnxruntime-node is loaded anywhere (it phones home otherwise).
process.env.ORT_DISABLE_TELEMETRY = '1';
process.env.SCARF_ANALYTICS = 'false';

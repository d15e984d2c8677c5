module github.com/halverneus/static-file-server

go 1.18

require gopkg.in/yaml.v3 v3.0.1

import react from '@vitejs/plugin-react'
import { exampleConfig } from '../vite-config.js'

export default exampleConfig([react()])

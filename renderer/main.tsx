import { createRoot } from 'react-dom/client';
import { captureLaunchToken } from './api/client';
import { boot } from './app/boot';

// The token must leave the address bar before HashRouter reads the hash.
captureLaunchToken();

const container = document.getElementById('root');
if (container) void boot(createRoot(container));
